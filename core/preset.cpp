#include "preset.h"
