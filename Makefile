# The two commands of the README are `make demo` and `make test`; both do all
# set-up on a fresh Debian 12 machine. The rest are pieces of them.
.PHONY: demo test bootstrap lab-up lab-down lab-status sanity units lab-tests integration molecule lint bench

demo:
	scripts/demo.sh

test:
	scripts/test.sh

bootstrap:
	scripts/bootstrap.sh

lab-up: bootstrap
	tests/lab/lab.sh up

lab-down:
	tests/lab/lab.sh down

lab-status:
	tests/lab/lab.sh status

sanity units lab-tests integration molecule lint:
	scripts/test.sh $@

bench:
	scripts/bench.sh
