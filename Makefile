# Every target runs on the Node 24 that the node@24 devDependency installs.
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: all deps build test lint fmt bench binary install clean

all: build

node_modules: package.json package-lock.json
	npm ci
	@touch node_modules

deps: node_modules

build: node_modules
	npm run build

lint: node_modules
	npm run lint

fmt: node_modules
	npm run fmt

# Lint, build, then every test: the same command as the README and CI.
test: node_modules
	npm test

bench: build
	npm run bench

binary: node_modules
	node scripts/build-binary.mjs

# Links `kavilo` into npm's global bin (uses this checkout).
install: build
	npm link

clean:
	rm -rf dist build
