package io.github.sdlora4j.benchmark;

import io.github.sdlora4j.Backend;
import io.github.sdlora4j.learner.TrainingEngine;
import io.github.sdlora4j.vit.VitWeights;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.Callable;

/**
 * The benchmark suite ({@code ./sdlora bench}): SD-LoRA training step vs PyTorch (each at one thread and on all
 * cores), the sgemm limit, scaling with tasks, inference, the data pipeline hook, ViT-B/16 and memory over a 20-task
 * run. Add it as a picocli subcommand or run {@link #main}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures SD-LoRA training and inference speed against PyTorch (DJL) and ND4J's sgemm limit.",
                "Every figure is printed; --json also writes them, with the machine, to a file."})
public final class BenchmarkSuite implements Callable<Integer> {

    @Option(names = "--quick",
            description = "CI plan: fewer steps, tasks 1 and 20 only, no ViT-B/16, a lighter 20-task memory run "
                    + "(meant to stay under 4 minutes on 2 cores).")
    boolean quick;

    @Option(names = "--gpu",
            description = "CUDA plan: W1 and ViT-B/16 at batch 64 with GPU memory; needs the CUDA backend "
                    + "(SDLORA_BACKEND=cuda) and a GPU it supports (compute capability 3.7-8.9).")
    boolean gpu;

    @Option(names = "--json", paramLabel = "FILE", description = "Write every figure and the machine to FILE (JSON).")
    Path json;

    @Option(names = "--markdown", paramLabel = "FILE",
            description = "Write the figures as Markdown tables to FILE (for the README's performance table).")
    Path markdown;

    @Option(names = "--no-pytorch", description = "Skip the PyTorch baseline.")
    boolean noPyTorch;

    @Option(names = "--no-long-run", description = "Skip the many-task memory run (a child JVM, about a minute).")
    boolean noLongRun;

    @Option(names = "--torch-threads", paramLabel = "N",
            description = "libtorch intra-op threads of the all-core runs; default (or 0): libtorch's own default, the "
                    + "physical cores. The matched runs use 1 thread on both sides whatever N is.")
    Integer torchThreads;

    @Option(names = "--smoke", hidden = true, description = "Miniature model for unit tests; numbers mean nothing.")
    boolean smoke;

    @Spec
    CommandSpec spec;

    private PrintStream console = System.out;

    /** Runs the suite from the command line and exits with its status. */
    public static void main(String[] args) {
        CommandLine cl = new CommandLine(new BenchmarkSuite());
        cl.setExecutionExceptionHandler((e, line, parse) -> {
            if (!(e instanceof IllegalStateException) || System.getenv("SDLORA_STACKTRACE") != null) {
                e.printStackTrace();
            }
            line.getErr().println("sdlora bench: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            return 1;
        });
        System.exit(cl.execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if ((quick ? 1 : 0) + (smoke ? 1 : 0) + (gpu ? 1 : 0) > 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--quick, --smoke and --gpu exclude each other");
        }
        if (torchThreads != null && torchThreads < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--torch-threads must be >= 0, got " + torchThreads);
        }
        requireDirectory("--json", json);
        requireDirectory("--markdown", markdown);
        // Before any ND4J array: on a GPU the CUDA backend has no kernels for, ND4J's start-up fails in native code.
        String backend = Backend.checkSupported();
        if (gpu && !Backend.isCuda()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--gpu measures the CUDA backend, but this "
                    + "build runs " + backend + "; run it as SDLORA_BACKEND=cuda ./sdlora bench --gpu");
        }
        BenchmarkPlan plan = smoke ? BenchmarkPlan.smoke() : quick ? BenchmarkPlan.quick()
                : gpu ? BenchmarkPlan.gpu() : BenchmarkPlan.full();
        BenchmarkReport report = run(plan, commandLine());
        if (json != null) {
            report.writeJson(json);
            console.println("Wrote " + json.toAbsolutePath());
        }
        if (markdown != null) {
            report.writeMarkdown(markdown);
            console.println("Wrote " + markdown.toAbsolutePath());
        }
        return 0;
    }

    /** Fails before any measuring when an output file could not be written at the end. */
    private void requireDirectory(String option, Path file) {
        if (file == null) {
            return;
        }
        Path dir = file.toAbsolutePath().getParent();
        if (dir == null || !Files.isDirectory(dir)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    option + " " + file + ": directory " + dir + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    option + " " + file + " is a directory; expected a file path");
        }
    }

    private String commandLine() {
        List<String> parts = new ArrayList<>(List.of("bench"));
        if (quick) {
            parts.add("--quick");
        }
        if (smoke) {
            parts.add("--smoke");
        }
        if (gpu) {
            parts.add("--gpu");
        }
        if (noPyTorch) {
            parts.add("--no-pytorch");
        }
        if (noLongRun) {
            parts.add("--no-long-run");
        }
        if (torchThreads != null) {
            parts.add("--torch-threads " + torchThreads);
        }
        if (json != null) {
            parts.add("--json " + json);
        }
        if (markdown != null) {
            parts.add("--markdown " + markdown);
        }
        return String.join(" ", parts);
    }

    /** Runs every section of {@code plan} and returns the report. */
    public BenchmarkReport run(BenchmarkPlan plan, String command) {
        BenchmarkReport report = new BenchmarkReport(plan.name(), command, console);
        long start = System.nanoTime();
        report.section("Machine");
        report.putMachine(MachineInfo.describe());
        int nd4jThreads = MachineInfo.nd4jThreads();
        report.putMachine("nd4j_threads_used", nd4jThreads);
        report.putMachine("training_engine", TrainingEngine.selected(SdLoraFixture.TYPE).name().toLowerCase(Locale.ROOT));
        report.putMachine("plan", plan.toString());
        Optional<PyTorchRuntime> torch = loadTorch(report);
        // On a GPU our thread count means nothing: one host thread drives the device.
        AllCores cores = new AllCores(Backend.isCuda() ? 1 : OursAtThreads.defaultThreads(),
                torchThreads == null || torchThreads == 0 ? PyTorchRuntime.defaultThreads() : torchThreads);
        report.putMachine("ours_all_core_threads", cores.ours());
        report.putMachine("ours_threads_applied", OursAtThreads.THREADS_APPLIED);
        report.putMachine("pytorch_all_core_threads", cores.pytorch());
        report.machine().forEach((k, v) -> {
            if (!(v instanceof Map)) {
                console.printf("  %-28s %s%n", k, v);
            }
        });

        report.section("sgemm limit (ND4J, Nd4j.gemm into a preallocated output)");
        double peak = sgemm(plan, report);

        if (plan.vitB16Batch() > 0) {
            report.section("ViT-B/16, one SD-LoRA step at batch " + plan.vitB16Batch());
            VitB16Benchmark.run(plan, torch, cores, report);
            GpuMemory.report("vitb16", report);
            report.figure("vitb16_ratio_vs_pytorch").ifPresent(f -> report.headline(f.name(), f.value()));
        } else {
            report.notMeasured("vitb16", "skipped by the " + plan.name() + " plan");
            report.notMeasured("vitb16_ratio_vs_pytorch", "skipped by the " + plan.name() + " plan");
        }

        VitWeights backbone = VitWeights.random(plan.vit(), 1, SdLoraFixture.TYPE);
        report.section("W1: SD-LoRA step, " + plan.vit() + ", batch " + plan.batch() + ", rank " + plan.rank()
                + ", task index " + TrainingStepBenchmark.TASK);
        TrainingStepBenchmark.Result w1 = TrainingStepBenchmark.run(plan, backbone, torch, cores,
                SgemmProbe.square(plan.squareSize()), report);
        GpuMemory.report("w1", report);
        double oursIps = plan.batch() * 1e3 / w1.oursMs();
        report.headline("w1_ours_images_per_s", oursIps);
        report.headline("w1_core_scaling", w1.oursMs() / w1.oursAllMs());
        w1.torchMs().ifPresentOrElse(tms -> {
            report.headline("w1_pytorch_images_per_s", plan.batch() * 1e3 / tms);
            report.headline("w1_ratio_vs_pytorch", tms / w1.oursMs());
            report.headline("w1_ratio_vs_pytorch_all_cores", w1.torchAllMs().orElseThrow() / w1.oursAllMs());
        }, () -> report.notMeasured("w1_pytorch", torchReason(report)));
        report.headline("w1_fraction_of_sgemm_peak", w1.oursAllGflops() / w1.sgemmAllGflops());
        report.add("w1", "w1_fraction_of_sgemm_section_peak", w1.oursGflops() / peak, "ratio",
                "W1 GFLOP/s at 1 thread over the sgemm section's best (measured earlier, so under other load)");
        report.figure("sgemm_step_shapes_weighted_gflops").ifPresent(f -> report.add("w1",
                "w1_fraction_of_step_shape_sgemm", w1.oursGflops() / f.value(), "ratio",
                "W1 GFLOP/s at 1 thread over the sgemm section's rate at the step's own shapes"));
        TrainingStepBenchmark.sameDiffReference(plan, backbone, w1.oursMs(), report);

        report.section("Scaling with tasks");
        Map<Integer, Double> scaling = TaskScalingBenchmark.run(plan, backbone, report);
        if (plan.hasTask20Ratio()) {
            report.headline("task20_over_task1", scaling.get(20) / scaling.get(1));
        } else {
            report.notMeasured("task20_over_task1", "the " + plan.name() + " plan does not measure tasks 1 and 20");
        }

        report.section("Inference (batch " + plan.inferenceBatch() + ")");
        Map<InferenceBenchmark.Variant, Double> inference = InferenceBenchmark.run(plan, backbone, torch, cores, report);
        report.headline("merged_over_plain", inference.get(InferenceBenchmark.Variant.MERGED)
                / inference.get(InferenceBenchmark.Variant.PLAIN));
        report.figure("inference_ratio_vs_pytorch").ifPresentOrElse(f -> report.headline(f.name(), f.value()),
                () -> report.notMeasured("inference_ratio_vs_pytorch", torchReason(report)));

        report.section("Data pipeline");
        dataPipeline(plan, oursIps, report);

        longRun(plan, report);

        report.section("Projection to more cores (from the measured scaling; not measured)");
        ScalingProjection.report(w1, cores, plan.batch(), report);

        report.add("suite", "suite_wall_s", (System.nanoTime() - start) / 1e9, "s", "whole run, plan " + plan.name());
        report.printSummary();
        return report;
    }

    private void longRun(BenchmarkPlan plan, BenchmarkReport report) {
        if (noLongRun) {
            List.of("long_run", "rss_task5_mb", "rss_task20_mb").forEach(k -> report.notMeasured(k, "--no-long-run"));
            return;
        }
        BenchmarkPlan.LongRun longRun = plan.longRun();
        report.section("Memory over a long run (" + longRun.tasks() + " tasks in a child JVM)");
        LongRunBenchmark.run(plan, report).ifPresentOrElse(r -> {
            report.headline("rss_task5_mb", r.peakMib(BenchmarkPlan.LongRun.BASELINE_TASK).orElseThrow());
            r.peakMib(20).ifPresentOrElse(mib -> report.headline("rss_task20_mb", mib),
                    () -> report.notMeasured("rss_task20_mb", "the " + plan.name() + " plan runs fewer than 20 tasks"));
        }, () -> List.of("rss_task5_mb", "rss_task20_mb").forEach(k -> report.notMeasured(k,
                "the long run did not complete (see long_run)")));
    }

    private Optional<PyTorchRuntime> loadTorch(BenchmarkReport report) {
        if (noPyTorch) {
            report.putMachine("pytorch", "skipped (--no-pytorch)");
            return Optional.empty();
        }
        // Each run sets its own thread count (1 or all cores); 1 until then.
        PyTorchRuntime.Result loaded = PyTorchRuntime.load(1);
        loaded.runtime().ifPresentOrElse(rt -> {
            report.putMachine("pytorch", "libtorch " + rt.version() + " via DJL (CPU)");
            report.putMachine("pytorch_threads", "1 and " + (torchThreads == null || torchThreads == 0
                    ? PyTorchRuntime.defaultThreads() + " (libtorch's default: physical cores)" : torchThreads
                    + " (--torch-threads)") + ", set per run");
        }, () -> report.putMachine("pytorch", "unavailable: " + loaded.reason()));
        return loaded.runtime();
    }

    private static String torchReason(BenchmarkReport report) {
        return "PyTorch baseline did not run: " + report.machine().get("pytorch");
    }

    private static double sgemm(BenchmarkPlan plan, BenchmarkReport report) {
        SgemmProbe probe = new SgemmProbe(plan.sgemmMinRuns(), plan.sgemmMinSeconds());
        List<SgemmProbe.Result> stepResults = new ArrayList<>();
        double peak = 0;
        for (SgemmProbe.Shape s : SgemmProbe.stepShapes(plan.vit(), plan.batch())) {
            SgemmProbe.Result r = probe.measure(s);
            stepResults.add(r);
            peak = Math.max(peak, r.gflops());
            report.add("sgemm", "sgemm_" + s.name() + "_gflops", r.gflops(), "GFLOP/s",
                    s.label() + ", median " + String.format(Locale.ROOT, "%.3f", r.medianMs()) + " ms");
        }
        report.add("sgemm", "sgemm_step_shapes_weighted_gflops", SgemmProbe.stepWeightedGflops(plan.vit(), stepResults),
                "GFLOP/s", "the step's dense products at their measured rates, weighted by use per block");
        SgemmProbe.Result square = probe.measure(SgemmProbe.square(plan.squareSize()));
        peak = Math.max(peak, square.gflops());
        report.add("sgemm", "sgemm_" + plan.squareSize() + "_gflops", square.gflops(), "GFLOP/s",
                square.shape().label() + " f-order");
        report.add("sgemm", "sgemm_peak_gflops", peak, "GFLOP/s", "best of the shapes above");
        return peak;
    }

    private static void dataPipeline(BenchmarkPlan plan, double stepImagesPerS, BenchmarkReport report) {
        List<DataPipelineProbe> probes = new ArrayList<>();
        ServiceLoader.load(DataPipelineProbe.class).forEach(probes::add);
        if (probes.isEmpty()) {
            report.notMeasured("data_pipeline", "no DataPipelineProbe on the classpath (the sdlora-datasets module "
                    + "provides one)");
            return;
        }
        for (DataPipelineProbe probe : probes) {
            try {
                for (DataPipelineProbe.Throughput t : probe.measure(plan.vit(), plan.batch(), !"full".equals(plan.name()))) {
                    report.add("data", "data_" + t.pipeline() + "_images_per_s", t.imagesPerSecond(), "images/s",
                            probe.name() + ": " + t.note());
                    report.add("data", "data_" + t.pipeline() + "_over_step", t.imagesPerSecond() / stepImagesPerS,
                            "ratio", "pipeline images/s over the W1 step's consumption");
                }
            } catch (Exception e) {
                report.notMeasured("data_" + probe.name(), e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }

    /** Where progress is printed (standard output by default). */
    public BenchmarkSuite console(PrintStream out) {
        this.console = out;
        return this;
    }
}
