package io.github.sdlora4j.spark;

import io.github.sdlora4j.examples.SdloraCli;
import picocli.CommandLine;

/**
 * The {@code sdlora} command with the Spark subcommands {@code sweep} and {@code spark-predict} added: the same
 * error handling, exit codes and checks before the backend starts as every other subcommand.
 */
public final class SparkCli {

    private SparkCli() {
    }

    /** {@link SdloraCli#commandLine()} with {@link SweepCommand} and {@link SparkPredictCommand}. */
    public static CommandLine commandLine() {
        return SdloraCli.commandLine()
                .addSubcommand(new SweepCommand())
                .addSubcommand(new SparkPredictCommand());
    }

    /** Entry point of the ./sdlora launcher and of spark-submit. */
    public static void main(String[] args) {
        System.setProperty("java.awt.headless", "true");
        System.exit(commandLine().execute(args));
    }
}
