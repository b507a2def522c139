package io.github.sdlora4j.examples;

import picocli.CommandLine.Mixin;

import java.io.IOException;
import java.util.concurrent.Callable;

/**
 * A command that runs one config with the {@link RunOptions}: {@code run} and {@code demo}, which differ only in
 * where the config comes from. The config is loaded (and the overrides applied) before the backend starts.
 */
abstract class ConfigRunCommand implements Callable<Integer>, ChecksBeforeBackend {

    @Mixin
    RunOptions options;

    private RunConfig checked;

    /** The config as written, before the command line's overrides. */
    abstract RunConfig loadConfig() throws IOException;

    @Override
    public void checkBeforeBackend() throws IOException {
        checked = options.withOverrides(loadConfig());
    }

    @Override
    public Integer call() throws Exception {
        if (checked == null) {
            checkBeforeBackend();
        }
        return options.execute(checked, System.out);
    }
}
