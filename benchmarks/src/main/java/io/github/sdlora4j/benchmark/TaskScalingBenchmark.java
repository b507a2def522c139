package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.dataset.DataSet;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Step time as finished tasks accumulate: each point is a learner training task index t with t finished tasks
 * (non-zero directions). All points are built first and then timed in rounds (one step of each per round), so that
 * drift in the machine's load hits every point alike and the ratio to task 1 stays meaningful.
 */
final class TaskScalingBenchmark {

    private TaskScalingBenchmark() {
    }

    /** Returns median milliseconds per step by task index. */
    static Map<Integer, Double> run(BenchmarkPlan plan, VitWeights backbone, BenchmarkReport report) {
        List<Integer> tasks = plan.taskPoints();
        List<SdLoraFixture> fixtures = new ArrayList<>();
        List<Runnable> steps = new ArrayList<>();
        for (int task : tasks) {
            SdLoraFixture fixture = SdLoraFixture.create(backbone, task, plan.classesPerTask(), plan.rank(), 100 + task);
            DataSet batch = fixture.batch(plan.batch(), 200 + task);
            int[] iteration = {0};
            Runnable step = () -> fixture.step(batch, iteration[0]++);
            report.add("scaling", "scaling_task" + task + "_first_step_ms", StepTimer.timeOnce(step), "ms",
                    "graph construction plus one step");
            fixtures.add(fixture);
            steps.add(step);
        }
        for (int round = 0; round < plan.warmup(); round++) {
            steps.forEach(Runnable::run);
        }
        double[][] ms = new double[tasks.size()][plan.steps()];
        for (int round = 0; round < plan.steps(); round++) {
            for (int i = 0; i < tasks.size(); i++) {
                ms[i][round] = StepTimer.timeOnce(steps.get(i));
            }
        }
        Map<Integer, Double> msByTask = new LinkedHashMap<>();
        for (int i = 0; i < tasks.size(); i++) {
            int task = tasks.get(i);
            SdLoraFixture fixture = fixtures.get(i);
            double median = StepTimer.median(ms[i]);
            msByTask.put(task, median);
            report.add("scaling", "scaling_task" + task + "_ms_per_step", median, "ms",
                    task + " finished tasks, R=" + fixture.totalRank() + ", median of " + plan.steps()
                            + ", interleaved with the other task points");
            report.add("scaling", "scaling_task" + task + "_gflops", fixture.stepFlops(plan.batch()) / (median * 1e6),
                    "GFLOP/s", "analytic FLOPs (StepFlops: finished tasks folded into W_q/W_v past rank dim/4)");
        }
        int first = tasks.get(0);
        int last = tasks.get(tasks.size() - 1);
        if (last != first) {
            report.add("scaling", "task" + last + "_over_task" + first, msByTask.get(last) / msByTask.get(first), "ratio",
                    "step time at task " + last + " over task " + first);
        }
        return msByTask;
    }
}
