# Convenience targets; the README's two commands (./run.sh, ./test.sh) need nothing here.
.PHONY: run test fuzz soak
run:
	./run.sh
test:
	./test.sh
# libFuzzer over every file parser, FUZZ_SECONDS per target (default 60)
fuzz:
	tools/fuzz.sh $(or $(FUZZ_SECONDS),60)
soak:
	tools/soak.sh 100000
