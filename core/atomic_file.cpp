#include "atomic_file.h"
