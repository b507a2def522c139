package io.github.sdlora4j.examples;

import io.github.sdlora4j.data.DataCheck;
import picocli.CommandLine.Option;

/** The {@code --verify-data} option of the commands that train: run, demo, compare, sweep. */
public final class DataCheckOption {

    @Option(names = "--verify-data", description = "Decode every image before training (default: read each file's"
            + " header and check that it is complete).")
    boolean verifyData;

    /** @return whether {@code --verify-data} was given */
    public boolean verifyData() {
        return verifyData;
    }

    /** @return how deeply the data are checked before training */
    public DataCheck.Depth depth() {
        return depth(verifyData);
    }

    /** How deeply the data are checked before training: {@code verifyData} decodes every image. */
    public static DataCheck.Depth depth(boolean verifyData) {
        return verifyData ? DataCheck.Depth.FULL_DECODE : DataCheck.Depth.HEADERS;
    }
}
