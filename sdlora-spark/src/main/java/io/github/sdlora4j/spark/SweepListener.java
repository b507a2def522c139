package io.github.sdlora4j.spark;

import org.apache.spark.Success$;
import org.apache.spark.TaskFailedReason;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reports on the driver every failed attempt of a sweep's tasks (Spark retries them up to
 * {@code spark.task.maxFailures} times; {@code local[N,F]} in local mode) and keeps them for the summary. A run's
 * job is recognised by its job group, {@link #GROUP_PREFIX} and the run's label.
 */
final class SweepListener extends SparkListener {

    static final String GROUP_PREFIX = "sdlora-sweep: ";
    private static final String JOB_GROUP = "spark.jobGroup.id";
    private static final Logger log = LoggerFactory.getLogger(SweepListener.class);

    private final Map<Integer, String> runOfStage = new ConcurrentHashMap<>();
    private final Map<String, List<String>> failedAttempts = new ConcurrentHashMap<>();

    @Override
    public void onStageSubmitted(SparkListenerStageSubmitted submitted) {
        if (submitted.properties() == null) {
            return;
        }
        String group = submitted.properties().getProperty(JOB_GROUP);
        if (group != null && group.startsWith(GROUP_PREFIX)) {
            runOfStage.put(submitted.stageInfo().stageId(), group.substring(GROUP_PREFIX.length()));
        }
    }

    @Override
    public void onTaskEnd(SparkListenerTaskEnd end) {
        String run = runOfStage.get(end.stageId());
        if (run == null || end.reason() == Success$.MODULE$ || !(end.reason() instanceof TaskFailedReason failed)) {
            return;
        }
        String error = failed.toErrorString();
        int newline = error.indexOf('\n');
        String firstLine = newline < 0 ? error : error.substring(0, newline);
        failedAttempts.computeIfAbsent(run, k -> new ArrayList<>()).add(firstLine);
        log.warn("run {}: attempt {} failed ({}); Spark retries it unless that was its last attempt", run,
                end.taskInfo().attemptNumber() + 1, firstLine);
    }

    /** The failed attempts of a run so far (first line of each error), oldest first. */
    List<String> failedAttempts(String run) {
        List<String> errors = failedAttempts.get(run);
        return errors == null ? List.of() : List.copyOf(errors);
    }
}
