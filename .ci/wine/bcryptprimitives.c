/*
 * A stand-in for Windows' bcryptprimitives.dll, for Wine 8 only.
 *
 * Go 1.24 and later get random bytes from ProcessPrng in
 * bcryptprimitives.dll, which Debian 12's Wine 8.0 does not have: without
 * this every Go .exe exits at start with "bcryptprimitives.dll not found".
 * ProcessPrng is built on RtlGenRandom (SystemFunction036 in advapi32),
 * which Wine has. Built by .ci/wine/run with Debian's
 * gcc-mingw-w64-x86-64-win32 and copied into the test prefix's system32;
 * never shipped.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	/* RtlGenRandom takes a ULONG length; ProcessPrng a SIZE_T one. */
	while (length > 0) {
		ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
		if (!SystemFunction036(data, chunk))
			return FALSE;
		data += chunk;
		length -= chunk;
	}
	return TRUE;
}
