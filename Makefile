# Userbase: build, test, run locally, benchmark and deploy. `make` lists the targets.
# A function is a folder functions/<name> with a main.go: every rule below finds
# them by pattern, so adding one never edits this file.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

GO ?= go
GO_BUILD_FLAGS := -tags lambda.norpc -trimpath -ldflags "-s -w"
TEST_TIMEOUT ?= 20m
# How long `make test` fuzzes each Fuzz target (scripts/fuzz.sh finds them).
FUZZTIME ?= 8s
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: help deps build local unit test browser fuzz bench lint deploy clean

help: ## list the targets (the default)
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z0-9%_-]+:.*## / {printf "  %-18s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

deps: ## check Go; install Node.js/npm, Java 17 and Chromium when missing (as root with apt), npm ci when stale
	@scripts/deps.sh

build: ## build every functions/* into .build/host/<name>/bootstrap and .build/arm64/<name>/bootstrap
	@scripts/build-functions.sh host
	@scripts/build-functions.sh arm64

# sam build calls this for each function resource (Metadata BuildMethod: makefile);
# the stem is the logical ID without "Function", turned back into the folder name
# as pkg/samtemplate.Folder does: AuthRegister -> auth-register.
build-%Function: ## build <Name>Function for Lambda (linux/arm64) into $(ARTIFACTS_DIR)/bootstrap, as sam build does
	@test -n "$(ARTIFACTS_DIR)" || { echo "make $@: ARTIFACTS_DIR is not set (sam build sets it)" >&2; exit 1; }
	@folder=$$(printf '%s' '$*' | sed -E 's/([A-Z])/-\1/g; s/^-//' | tr 'A-Z' 'a-z'); \
	  test -f "functions/$$folder/main.go" || { echo "make $@: no functions/$$folder/main.go" >&2; exit 1; }; \
	  modfile=$$(env -u GOOS -u GOARCH $(GO) run ./cmd/sdkpatch); \
	  CGO_ENABLED=0 GOOS=linux GOARCH=arm64 $(GO) build -modfile "$$modfile" $(GO_BUILD_FLAGS) -o "$(ARTIFACTS_DIR)/bootstrap" "./functions/$$folder"

# make local builds only what it runs: the functions for this machine and cmd/local itself.
# The linux/arm64 build is for Lambda (sam build, make build, make bench), not for this.
local: deps ## run the whole stack on 127.0.0.1 (API on :3000; DynamoDB Local on every interface) without Docker; builds the host binaries first
	@scripts/build-functions.sh host
	@echo "build: cmd/local"
	@$(GO) build -o .build/bin/local ./cmd/local
	.build/bin/local

# The tests that need no Java, Node, Chromium or network: every test that starts DynamoDB
# Local, the local stack or a browser skips itself under -short (e2e, browser, pkg/store's
# table tests, cmd/usersctl's commands, the IAM analysis of deploy_test).
unit: ## the fast tests only (go test -short ./...): no Java, no Node, no browser, under a minute
	$(GO) test -short ./...

test: deps build ## every Go test (unit, DynamoDB Local, end-to-end, browser, template), then a short fuzz of each Fuzz target
	$(GO) test -timeout $(TEST_TIMEOUT) ./...
	@scripts/fuzz.sh $(FUZZTIME)

browser: deps ## only the browser test of the account pages (headless Chromium); screenshots in .build/screenshots
	$(GO) test -count=1 -v ./browser

fuzz: ## only the fuzz targets, FUZZTIME each (e.g. make fuzz FUZZTIME=2m)
	@scripts/fuzz.sh $(FUZZTIME)

bench: deps build ## cold starts, sizes, round trips, handler overhead, whole-invocation CPU and its profile, hashing, avatars, access tokens, admin search at 5k/50k users, import rate, memory sizing, cost of 100k MAU
	$(GO) run ./cmd/bench

lint: ## gofmt, early-closing pipes in scripts, go mod tidy, go vet, staticcheck, cfn-lint, and scripts/sam-build-check (every function builds as sam build would)
	@files=$$(find . -name '*.go' -not -path './node_modules/*' -not -path './.build/*' -not -path './.aws-sam/*'); \
	  bad=$$(gofmt -l $$files); \
	  if [ -n "$$bad" ]; then echo "gofmt -w these:"; echo "$$bad"; exit 1; fi
	@if grep -nE '\|[[:space:]]*(head|grep -q)' .ci/run scripts/*.sh; then \
	  echo "a pipe into head or grep -q: the writer can die of SIGPIPE and pipefail fails the run (use sed -n 1p, grep >/dev/null)"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod or go.sum is not tidy: run go mod tidy"; exit 1; }
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	@if command -v cfn-lint >/dev/null 2>&1; then echo "cfn-lint template.yaml"; cfn-lint template.yaml; \
	  else echo "cfn-lint not installed: template not linted"; fi
	@if python3 -c "import cfnlint" >/dev/null 2>&1; then python3 scripts/sam-build-check; \
	  else echo "cfn-lint (python) not installed: sam build check skipped"; fi

deploy: ## sam build && sam deploy (settings in samconfig.toml; needs the SAM CLI and AWS credentials)
	@command -v sam >/dev/null 2>&1 || { echo "make deploy: install the AWS SAM CLI first" >&2; exit 1; }
	sam build
	sam deploy

clean: ## remove built binaries and sam build output
	rm -rf .build .aws-sam
