package io.github.sdlora4j.spark;

import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/**
 * The tests' Spark: one local session for the whole test JVM (starting one costs seconds), which the commands find
 * running and use; {@code local[2,2]}: two task slots, and a failed task is tried twice.
 */
final class LocalSpark {

    static final String MASTER = "local[2,2]";

    private LocalSpark() {
    }

    static synchronized SparkSession session() {
        return SparkSession.builder().master(MASTER).appName("sdlora-spark tests")
                .config("spark.ui.enabled", "false")
                .config("spark.sql.shuffle.partitions", "2")
                .getOrCreate();
    }

    /** Runs {@code sdlora-spark command --master MASTER args...}, its error output going to {@code err}; the exit code. */
    static int execute(String command, StringWriter err, String... args) {
        CommandLine cl = SparkCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        String[] all = new String[args.length + 3];
        all[0] = command;
        all[1] = "--master";
        all[2] = MASTER;
        System.arraycopy(args, 0, all, 3, args.length);
        return cl.execute(all);
    }
}
