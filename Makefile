# The two commands the README promises: `make demo` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_VAULT ?= demo-vault

.PHONY: demo test test-deep lint bench bench-scale bench-scale-work installer-smoke clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m workbook.demo_launcher --vault $(DEMO_VAULT)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

test: lint
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest -q -p no:cacheprovider

# The "malicious holder of the database key" state machine at a nightly budget (about an hour on
# two cores), then the sharing convergence machine and the board-digest property (about 20
# minutes), then the replicas' convergence machine; `make test` runs each at a smaller one, on
# fixed examples.
test-deep: $(STAMP)
	QT_QPA_PLATFORM=offscreen WORKBOOK_STATEFUL_EXAMPLES=400 WORKBOOK_STATEFUL_STEPS=40 \
		WORKBOOK_STATEFUL_RANDOM=1 \
		$(BIN)/pytest -q -p no:cacheprovider tests/security/test_malicious_holder.py
	QT_QPA_PLATFORM=offscreen WORKBOOK_SHARING_EXAMPLES=100 WORKBOOK_SHARING_STEPS=40 \
		WORKBOOK_DIGEST_EXAMPLES=1000 WORKBOOK_STATEFUL_RANDOM=1 \
		$(BIN)/pytest -q -p no:cacheprovider tests/sharing/test_exchange_property.py \
		tests/supervision/test_board_digest.py
	QT_QPA_PLATFORM=offscreen WORKBOOK_REPLICA_EXAMPLES=60 WORKBOOK_REPLICA_STEPS=40 \
		WORKBOOK_STATEFUL_RANDOM=1 \
		$(BIN)/pytest -q -p no:cacheprovider tests/replicas/test_replicas_state_machine.py

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

# Issue 19's growth table: every figure at 2,000 and 20,000 families on a realistic and a harsh
# vault (bench/README.md: the 20,000-family fixtures take 30-60 minutes each to build once, a
# run 20-25); bench-scale-work counts the once-a-size figures' work instead of timing it.
bench-scale: $(STAMP)
	$(BIN)/python bench/scale_bench.py

bench-scale-work: $(STAMP)
	$(BIN)/python bench/scale_work.py

# Builds the one-folder app with PyInstaller and runs it; not part of `make test` (see
# docs/deployment.md for its duration). Only calls the script, which runs the same without make
# (`python installer/smoke.py`, on Windows too).
installer-smoke: $(STAMP)
	$(BIN)/python installer/smoke.py

clean:
	rm -rf $(VENV) build *.egg-info
