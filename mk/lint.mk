# Static checks of the code itself: Swift formatting and shell scripts.

.PHONY: lint shellcheck

lint: swift-format-check shellcheck ## Formatting and static checks of Swift and shell code

shellcheck: venv ## shellcheck over every shell script of the project
	@files=$$(git -C $(ROOT) ls-files --cached --others --exclude-standard '*.sh' .ci/run | sed 's|^|$(ROOT)/|'); \
	$(VENV)/bin/shellcheck $$files && echo "shellcheck: $$(echo $$files | wc -w) scripts, no findings"
