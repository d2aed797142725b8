# Developer entry points; each one sets itself up (virtualenv, collection tree, emulator) as needed.
.PHONY: test demo sanity units emulator-tests integration system lint bench emulator clean

test:            ## every test suite (what CI runs)
	scripts/test.sh all

demo:            ## the role against the bundled emulator, with a test mail and a check-mode audit
	scripts/demo.sh

sanity:
	scripts/test.sh sanity

units:
	scripts/test.sh units

emulator-tests:
	scripts/test.sh emulator

integration:     ## make integration TARGET=smtp_settings runs one target
	scripts/test.sh integration $(TARGET)

system:
	scripts/test.sh system

lint:
	scripts/test.sh lint

bench:
	scripts/bench.sh

emulator:        ## start the portal emulator in the foreground for offline rehearsal
	scripts/emulator.sh

clean:
	rm -rf build .venv tests/output
