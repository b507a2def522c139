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
 * The benchmark suite ({@code ./sdlora bench}): SD-LoRA training step vs PyTorch, the sgemm limit, scaling with
 * tasks, inference, the data pipeline hook and ViT-B/16. Add it as a picocli subcommand or run {@link #main}.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures SD-LoRA training and inference speed against PyTorch (DJL) and ND4J's sgemm limit.",
                "Every figure is printed; --json also writes them, with the machine, to a file."})
public final class BenchmarkSuite implements Callable<Integer> {

    @Option(names = "--quick",
            description = "CI plan: fewer steps, tasks 1 and 20 only, no ViT-B/16 (under 2 minutes on 2 cores).")
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

    @Option(names = "--torch-threads", paramLabel = "N",
            description = "libtorch intra-op threads; default: the same as ND4J's (OMP_NUM_THREADS), for a like-for-like "
                    + "comparison; 0 keeps libtorch's own default.")
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
        Optional<PyTorchRuntime> torch = loadTorch(report, nd4jThreads);
        report.machine().forEach((k, v) -> {
            if (!(v instanceof Map)) {
                console.printf("  %-28s %s%n", k, v);
            }
        });

        report.section("sgemm limit (ND4J, Nd4j.gemm into a preallocated output)");
        double peak = sgemm(plan, report);

        if (plan.vitB16Batch() > 0) {
            report.section("ViT-B/16, one SD-LoRA step at batch " + plan.vitB16Batch());
            VitB16Benchmark.run(plan, report);
            GpuMemory.report("vitb16", report);
        } else {
            report.notMeasured("vitb16", "skipped by the " + plan.name() + " plan");
        }

        VitWeights backbone = VitWeights.random(plan.vit(), 1, SdLoraFixture.TYPE);
        report.section("W1: SD-LoRA step, " + plan.vit() + ", batch " + plan.batch() + ", rank " + plan.rank()
                + ", task index " + TrainingStepBenchmark.TASK);
        TrainingStepBenchmark.Result w1 = TrainingStepBenchmark.run(plan, backbone, torch,
                SgemmProbe.square(plan.squareSize()), report);
        GpuMemory.report("w1", report);
        double oursIps = plan.batch() * 1e3 / w1.oursMs();
        report.headline("w1_ours_images_per_s", oursIps);
        w1.torchMs().ifPresentOrElse(tms -> {
            report.headline("w1_pytorch_images_per_s", plan.batch() * 1e3 / tms);
            report.headline("w1_ratio_vs_pytorch", tms / w1.oursMs());
        }, () -> report.notMeasured("w1_pytorch", torchReason(report)));
        report.headline("w1_fraction_of_sgemm_peak", w1.oursGflops() / w1.sgemmGflops());
        report.add("w1", "w1_fraction_of_sgemm_section_peak", w1.oursGflops() / peak, "ratio",
                "W1 GFLOP/s over the sgemm section's best (measured earlier, so under other load)");
        report.figure("sgemm_step_shapes_weighted_gflops").ifPresent(f -> report.add("w1",
                "w1_fraction_of_step_shape_sgemm", w1.oursGflops() / f.value(), "ratio",
                "W1 GFLOP/s over the sgemm section's rate at the step's own shapes"));
        TrainingStepBenchmark.sameDiffReference(plan, backbone, w1.oursMs(), report);

        report.section("Scaling with tasks");
        Map<Integer, Double> scaling = TaskScalingBenchmark.run(plan, backbone, report);
        if (plan.hasTask20Ratio()) {
            report.headline("task20_over_task1", scaling.get(20) / scaling.get(1));
        } else {
            report.notMeasured("task20_over_task1", "the " + plan.name() + " plan does not measure tasks 1 and 20");
        }

        report.section("Inference (batch " + plan.inferenceBatch() + ")");
        Map<String, Double> inference = InferenceBenchmark.run(plan, backbone, report);
        report.headline("merged_over_plain", inference.get("merged") / inference.get("plain"));

        report.section("Data pipeline");
        dataPipeline(plan, oursIps, report);

        report.add("suite", "suite_wall_s", (System.nanoTime() - start) / 1e9, "s", "whole run, plan " + plan.name());
        report.printSummary();
        return report;
    }

    private Optional<PyTorchRuntime> loadTorch(BenchmarkReport report, int nd4jThreads) {
        if (noPyTorch) {
            report.putMachine("pytorch", "skipped (--no-pytorch)");
            return Optional.empty();
        }
        int threads = torchThreads == null ? nd4jThreads : torchThreads;
        PyTorchRuntime.Result loaded = PyTorchRuntime.load(threads);
        loaded.runtime().ifPresentOrElse(rt -> {
            report.putMachine("pytorch", "libtorch " + rt.version() + " via DJL (CPU)");
            report.putMachine("pytorch_threads", rt.threads());
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
