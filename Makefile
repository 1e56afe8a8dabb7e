# The two commands of the README are `make demo` and `make test`; both do all
# set-up on a fresh Debian 12 machine. The rest are pieces of them.
.PHONY: demo test bootstrap lab-up lab-down lab-status sanity units lab-tests integration molecule lint docs bench bench-1000 doc

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

sanity units lab-tests integration molecule lint docs:
	scripts/test.sh $@

# make doc MODULE=dns_challenge_publish (a module or a role; without MODULE: the list)
doc:
	@scripts/doc.sh $(MODULE)

bench:
	scripts/bench.sh

# The issuance benchmark at N=1000 (one sample per client): hours, not minutes.
bench-1000:
	BENCH_TIMEOUT=$${BENCH_TIMEOUT:-28800} scripts/bench.sh --benchmarks issuance --counts 1000 --repeats 1000:1
