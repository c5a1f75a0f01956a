# plugin: the local akenza-like broker plugin, akcred_auth.so (akcred-broker(7)),
# which the check tests, the demo and the benchmark run inside mosquitto.
# Included before the Makefile's own rules (the Makefile keeps "all" the default goal).

PLUGIN      = $(O)/akcred_auth.so
PLUGIN_OBJ  = $(O)/broker/akcred-auth.o

# Only the mosquitto_plugin_* entry points are exported; libakcred's symbols
# stay inside the plugin (--exclude-libs), so they cannot clash with the broker's.
$(O)/broker/%.o: src/broker/%.c | $(O)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -fvisibility=hidden -MMD -MP -c -o $@ $<

$(PLUGIN): $(PLUGIN_OBJ) $(LIB)
	$(CC) $(filter-out -pie,$(ALL_LDFLAGS)) -shared -Wl,--exclude-libs,ALL -o $@ \
	    $(PLUGIN_OBJ) $(LIB) $(PKG_LIBS)

-include $(PLUGIN_OBJ:.o=.d)

TEST_EXTRA      += $(PLUGIN)
DEMO_EXTRA      += $(PLUGIN)
BENCH_EXTRA     += $(PLUGIN)
INSTALL_EXTRA   += install-plugin
UNINSTALL_EXTRA += uninstall-plugin

.PHONY: plugin install-plugin uninstall-plugin
plugin: $(PLUGIN)

# akcred-broker(7) is installed with the other section 7 pages by the Makefile.
install-plugin: $(PLUGIN)
	$(INSTALL) -d $(DESTDIR)$(PLUGINDIR)
	$(INSTALL) -m 644 $(PLUGIN) $(DESTDIR)$(PLUGINDIR)/akcred_auth.so

# The plugin directory goes too when it is akcred's own (.../akcred) and
# empty; a shared one such as mosquitto's stays.
uninstall-plugin:
	rm -f $(DESTDIR)$(PLUGINDIR)/akcred_auth.so
	@case '$(PLUGINDIR)' in */akcred) \
	    if [ -d '$(DESTDIR)$(PLUGINDIR)' ]; then rmdir '$(DESTDIR)$(PLUGINDIR)' 2>/dev/null || :; fi;; esac
