// The system liblz4 (Debian: liblz4-dev): the frame format that `lz4 -dc` reads.
#include <lz4.h>
#include <lz4frame.h>
