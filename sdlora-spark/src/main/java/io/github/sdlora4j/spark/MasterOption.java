package io.github.sdlora4j.spark;

import picocli.CommandLine.Option;

/** The {@code --master} option of the Spark commands, and the session it leads to ({@link SparkSessions}). */
final class MasterOption {

    @Option(names = "--master", description = "Spark master: local[N], spark://host:7077, yarn, ... (default:"
            + " spark-submit's).")
    String master;

    /** @throws IllegalArgumentException when no session can be opened (see {@link SparkSessions#requireMaster}) */
    void require() {
        SparkSessions.requireMaster(master);
    }

    /** The running session, or a new one on {@code --master}; {@code appName} is shown by Spark. */
    SparkSessions.Opened open(String appName) {
        return SparkSessions.open(master, appName);
    }
}
