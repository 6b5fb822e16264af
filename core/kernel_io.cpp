#include "kernel_io.h"
