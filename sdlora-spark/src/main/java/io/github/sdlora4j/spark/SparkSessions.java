package io.github.sdlora4j.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark session a command works in: the one already running in this JVM (a test, a notebook, an application
 * that calls the command), else a new one on {@code --master}, or on the master spark-submit configured.
 */
final class SparkSessions {

    /**
     * A session and whether the command started it (and so stops it when done).
     *
     * @param session the session
     * @param owned   true if {@link #open} created it
     */
    record Opened(SparkSession session, boolean owned) implements AutoCloseable {
        @Override
        public void close() {
            if (owned) {
                session.stop();
            }
        }
    }

    private SparkSessions() {
    }

    /**
     * Checks, before anything starts, that a session can be opened: one is running, or {@code master} is given, or
     * spark-submit set {@code spark.master}.
     *
     * @throws IllegalArgumentException naming {@code --master} otherwise
     */
    static void requireMaster(String master) {
        if (master == null && running() == null && System.getProperty("spark.master") == null) {
            throw new IllegalArgumentException("--master is needed (e.g. --master local[4] or spark://host:7077),"
                    + " or start the command with spark-submit");
        }
    }

    /**
     * @param master  {@code --master} (null: the running session's, or spark-submit's {@code spark.master})
     * @param appName the application name shown by Spark
     */
    static Opened open(String master, String appName) {
        requireMaster(master);
        SparkSession running = running();
        if (running != null) {
            return new Opened(running, false);
        }
        SparkConf conf = new SparkConf();
        if (master != null) {
            conf.setMaster(master);
        }
        return new Opened(SparkSession.builder().config(conf).appName(appName).getOrCreate(), true);
    }

    private static SparkSession running() {
        if (SparkSession.getActiveSession().isDefined()) {
            return SparkSession.getActiveSession().get();
        }
        return SparkSession.getDefaultSession().isDefined() ? SparkSession.getDefaultSession().get() : null;
    }
}
