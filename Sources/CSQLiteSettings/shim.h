// Process-wide SQLite settings. sqlite3_config is variadic, so Swift calls it through these.
#include <sqlite3.h>

// SQLite counts every allocation for sqlite3_memory_used() behind one global mutex (on by
// default). CreditNet reads no such statistics. Only takes effect before SQLite initialises;
// returns SQLITE_MISUSE after.
static inline int creditnet_sqlite_without_memory_statistics(void) {
    return sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}
