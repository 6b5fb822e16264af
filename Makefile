# The two set-up commands of the README:
#   make run    install what is missing, build Release, start the GUI
#   make test   install what is missing, build Release, run every test
# Other presets: make test PRESET=debug|asan|tsan
# Fuzzing (Clang, libFuzzer): make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="preset image"]
# ThreadSanitizer on the threaded tests: make tsan-check

PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=

.PHONY: run test build deps configure format clean screenshot fuzz tsan-check

run: build
	$(BUILD_DIR)/app/kernelscope $(ARGS)

test: build
	ctest --preset $(PRESET)

build: configure
	cmake --build --preset $(PRESET) -j $(JOBS)

configure: deps
	@if [ ! -f $(BUILD_DIR)/CMakeCache.txt ]; then cmake --preset $(PRESET); fi

deps:
	@bash scripts/install-deps.sh

# The README's screenshot, rendered by the application itself.
screenshot: build
	$(BUILD_DIR)/app/kernelscope --preset docs/screenshot-preset.json --screenshot docs/screenshot.png

# Builds the fuzz targets and their seed corpus in build/fuzz, then runs each
# for FUZZ_SECONDS on one core; findings go to build/fuzz/findings.
fuzz: deps
	@if [ ! -f build/fuzz/CMakeCache.txt ]; then cmake --preset fuzz; fi
	cmake --build --preset fuzz -j $(JOBS)
	bash fuzz/run.sh build/fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# The threaded tests under ThreadSanitizer (with tests/tsan.supp).
tsan-check: deps
	@if [ ! -f build/tsan/CMakeCache.txt ]; then cmake --preset tsan; fi
	cmake --build --preset tsan -j $(JOBS) --target \
	    tst_preview_worker tst_preview_stress tst_main_window tst_image_view tst_fft
	ctest --preset tsan -R '^tst_(preview_worker|preview_stress|main_window|image_view|fft)$$'

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf build
