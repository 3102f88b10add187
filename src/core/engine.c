#include "core/engine.h"

volatile sig_atomic_t engine_stop_requested;
volatile sig_atomic_t engine_tick;
