package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.dataset.DataSet;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Step time as finished tasks accumulate: each point is a learner training task index t with t finished tasks
 * (non-zero directions), timed after its graph is built.
 */
final class TaskScalingBenchmark {

    private TaskScalingBenchmark() {
    }

    /**
     * Returns median milliseconds per step by task index.
     *
     * @param w1Ms W1's median step time, used for task 1 when the plan says so
     */
    static Map<Integer, Double> run(BenchmarkPlan plan, VitWeights backbone, OptionalDouble w1Ms,
                                    BenchmarkReport report) {
        Map<Integer, Double> msByTask = new LinkedHashMap<>();
        for (int task : plan.taskPoints()) {
            if (task == TrainingStepBenchmark.TASK && plan.reuseW1ForTask1() && w1Ms.isPresent()) {
                msByTask.put(task, w1Ms.getAsDouble());
                report.add("scaling", "scaling_task" + task + "_ms_per_step", w1Ms.getAsDouble(), "ms",
                        "taken from W1 (plan " + plan.name() + ")");
                continue;
            }
            SdLoraFixture fixture = SdLoraFixture.create(backbone, task, plan.classesPerTask(), plan.rank(), 100 + task);
            DataSet batch = fixture.batch(plan.batch(), 200 + task);
            int[] iteration = {0};
            Runnable step = () -> fixture.step(batch, iteration[0]++);
            report.add("scaling", "scaling_task" + task + "_first_step_ms", StepTimer.timeOnce(step), "ms",
                    "graph construction plus one step");
            double ms = StepTimer.median(StepTimer.time(plan.warmup(), plan.steps(), step));
            msByTask.put(task, ms);
            report.add("scaling", "scaling_task" + task + "_ms_per_step", ms, "ms",
                    task + " finished tasks, R=" + fixture.totalRank() + ", median of " + plan.steps());
            report.add("scaling", "scaling_task" + task + "_gflops", fixture.stepFlops(plan.batch()) / (ms * 1e6),
                    "GFLOP/s", "analytic FLOPs incl. LoRA of all tasks");
        }
        int first = plan.taskPoints().get(0);
        int last = plan.taskPoints().get(plan.taskPoints().size() - 1);
        if (last != first) {
            report.add("scaling", "task" + last + "_over_task" + first, msByTask.get(last) / msByTask.get(first), "ratio",
                    "step time at task " + last + " over task " + first);
        }
        return msByTask;
    }
}
