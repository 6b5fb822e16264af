# The two set-up commands of the README:
#   make run    install what is missing, build Release, start the GUI
#   make test   install what is missing, build Release, run every test
# Other presets: make test PRESET=debug|asan|tsan

PRESET ?= release
BUILD_DIR := build/$(PRESET)
JOBS ?= $(shell nproc 2>/dev/null || echo 2)

.PHONY: run test build deps configure format clean screenshot

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

format:
	clang-format -i $$(git ls-files '*.cpp' '*.h')

clean:
	rm -rf build
