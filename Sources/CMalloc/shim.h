// glibc's allocator settings (mallopt), for the long-running node.
#include <malloc.h>
