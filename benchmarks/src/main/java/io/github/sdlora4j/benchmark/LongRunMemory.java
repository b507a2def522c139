package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.Backend;
import io.github.sdlora4j.learner.SdLoraConfig;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The child process of the long-run memory section: a whole class-incremental run of the plan's model
 * ({@link BenchmarkPlan.LongRun}: tasks, batch, steps per task) through the learner's public API, each task as a
 * run does it ({@code beforeTask}, training steps, {@code afterTask}, one evaluation batch through the merged
 * model), printing one {@link LongRunResult} line per task: the peak resident memory sampled during the task, the
 * resident memory after it, and the process's {@code VmHWM} so far.
 */
public final class LongRunMemory {

    private static final long SAMPLE_PERIOD_MS = 5;

    private LongRunMemory() {
    }

    /** {@code args[0]}: the plan's name. Exit status 0 when every task ran, 1 otherwise. */
    public static void main(String[] args) {
        if (args.length != 1) {
            System.err.println("usage: LongRunMemory PLAN (full, quick, gpu or smoke)");
            System.exit(2);
        }
        try {
            run(BenchmarkPlan.named(args[0]), System.out);
            System.exit(0);
        } catch (RuntimeException e) {
            e.printStackTrace();
            System.exit(1);
        }
    }

    static void run(BenchmarkPlan plan, PrintStream out) {
        Backend.checkSupported();
        BenchmarkPlan.LongRun longRun = plan.longRun();
        VitConfig vit = plan.vit();
        VitWeights backbone = VitWeights.random(vit, 1, SdLoraFixture.TYPE);
        SdLoraConfig config = SdLoraConfig.reference(vit).withRanks(RankSchedule.constant(plan.rank())).withSeed(41);
        SdLoraLearner learner = SdLoraLearner.create(config, backbone);
        int classes = plan.classesPerTask();
        try (ResidentMemorySampler sampler = new ResidentMemorySampler(SAMPLE_PERIOD_MS)) {
            for (int t = 1; t <= longRun.tasks(); t++) {
                sampler.restart();
                long start = System.nanoTime();
                learner.beforeTask(classes);
                for (int s = 0; s < longRun.stepsPerTask(); s++) {
                    learner.trainStep(SdLoraFixture.batch(vit, longRun.batch(), learner.knownClasses(), classes,
                            learner.numClasses(), 1000L * t + s), 0, s);
                }
                learner.afterTask();
                INDArray seen = SdLoraFixture.batch(vit, longRun.batch(), 0, learner.numClasses(),
                        learner.numClasses(), -t).getFeatures();
                learner.logits(seen);
                double seconds = (System.nanoTime() - start) / 1e9;
                out.println(LongRunResult.line(new LongRunResult.Task(t, sampler.peakBytes(),
                        PeakMemory.residentBytes().orElse(0), PeakMemory.peakResidentBytes().orElse(0), seconds)));
                out.flush();
            }
        }
    }

    /**
     * The child's JVM options: this JVM's without heap settings, JavaCPP memory limits, debugger and agents; then a
     * fixed heap of {@code heapMib} touched in full at start-up ({@code -Xms} = {@code -Xmx},
     * {@code -XX:+AlwaysPreTouch}), so the heap's share of the resident memory is constant and any growth is native
     * memory. JavaCPP's limits keep their defaults (they follow {@code -Xmx}), as in any run.
     */
    static List<String> childJvmOptions(List<String> parentOptions, int heapMib) {
        List<String> options = new ArrayList<>();
        for (String o : parentOptions) {
            String lower = o.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("-xmx") && !lower.startsWith("-xms") && !lower.startsWith("-agentlib")
                    && !lower.startsWith("-javaagent") && !lower.startsWith("-xx:maxram")
                    && !lower.startsWith("-xx:+alwayspretouch") && !lower.startsWith("-dorg.bytedeco.javacpp.max")) {
                options.add(o);
            }
        }
        options.addAll(List.of("-Xms" + heapMib + "m", "-Xmx" + heapMib + "m", "-XX:+AlwaysPreTouch"));
        return options;
    }
}
