#include <windows.h>
typedef BOOLEAN (WINAPI *gen_random_fn)(PVOID, ULONG);
BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len) {
    static gen_random_fn gen;
    if (!gen) gen = (gen_random_fn)GetProcAddress(LoadLibraryA("advapi32.dll"), "SystemFunction036");
    return gen && gen(data, (ULONG)len);
}
