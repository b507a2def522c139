package io.github.sdlora4j.spark;

import org.apache.spark.sql.SparkSession;

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
}
