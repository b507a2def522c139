package io.github.sdlora4j.benchmark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * CI's smoke check: the whole suite runs (miniature model) and writes sane JSON. It asserts structure and that every
 * number is positive and finite, never a speed. PyTorch is left out when libtorch cannot load here.
 */
class BenchmarkSuiteSmokeTest {

    @TempDir
    Path dir;

    @Test
    void runsEverySectionAndWritesSaneJson() throws Exception {
        boolean torch = PyTorchRuntime.load(1).runtime().isPresent();
        Path json = dir.resolve("bench.json");
        Path markdown = dir.resolve("bench.md");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        BenchmarkSuite suite = new BenchmarkSuite().console(new PrintStream(printed, true, StandardCharsets.UTF_8));
        List<String> args = new java.util.ArrayList<>(List.of("--smoke", "--json", json.toString(), "--markdown",
                markdown.toString()));
        if (!torch) {
            args.add("--no-pytorch");
        }
        assertEquals(0, new CommandLine(suite).execute(args.toArray(new String[0])), printed.toString(StandardCharsets.UTF_8));

        JsonNode root = new ObjectMapper().readTree(json.toFile());
        assertEquals("smoke", root.get("plan").asText());
        JsonNode machine = root.get("machine");
        for (String key : List.of("cores", "cpu_model", "java_version", "nd4j_backend_variant", "nd4j_threads_used",
                "env_OMP_NUM_THREADS", "pytorch")) {
            assertTrue(machine.has(key), "machine lacks " + key);
        }
        assertTrue(machine.get("cores").asInt() >= 1);

        JsonNode notMeasured = root.get("not_measured");
        // What the smoke plan cannot measure: ViT-B/16 (skipped) and task 20 of the long run (it runs 6 tasks).
        Set<String> unmeasured = new HashSet<>(Set.of("vitb16_ratio_vs_pytorch", "rss_task20_mb"));
        for (String key : BenchmarkReport.HEADLINE_KEYS) {
            assertTrue(root.has(key), "missing headline " + key);
            JsonNode v = root.get(key);
            if (key.contains("pytorch") && !torch) {
                assertTrue(v.isNull(), key + " must be null without PyTorch");
                assertTrue(notMeasured.has("w1_pytorch"), "the missing baseline must be explained");
            } else if (unmeasured.contains(key)) {
                assertTrue(v.isNull(), key + " cannot be measured by the smoke plan");
                assertTrue(notMeasured.has(key), key + " must be explained");
            } else {
                assertPositiveFinite(key, v);
            }
        }
        JsonNode targets = root.get("targets");
        assertEquals(Targets.ALL.size(), targets.size());
        for (JsonNode t : targets) {
            assertEquals(t.get("value").isNull(), t.get("pass").isNull(), "pass is null exactly when not measured: " + t);
            assertTrue(t.get("goal").asText().matches("(>=|<=) [0-9.]+"), t.toString());
        }
        for (JsonNode p : root.get("projection")) {
            assertPositiveFinite(p.get("name").asText(), p.get("value"));
            assertTrue(p.get("name").asText().startsWith("projected_"), p.toString());
        }
        boolean oursScales = machine.get("ours_all_core_threads").asInt() >= 2;
        boolean torchScales = torch && machine.get("pytorch_all_core_threads").asInt() >= 2;
        assertEquals(oursScales ? 3 * (torchScales ? 3 : 1) : 0, root.get("projection").size(),
                "ours (and PyTorch's, and the ratio) at 8, 16 and 32 cores");

        Set<String> names = new HashSet<>();
        JsonNode figures = root.get("figures");
        assertTrue(figures.size() > 20, "expected every section's figures, got " + figures.size());
        for (JsonNode f : figures) {
            String name = f.get("name").asText();
            assertTrue(names.add(name), "duplicate figure " + name);
            assertFalse(f.get("unit").asText().isBlank(), name + " has no unit");
            assertPositiveFinite(name, f.get("value"));
        }
        for (String expected : List.of("w1_ours_ms_per_step", "w1_ours_gflops", "sgemm_peak_gflops",
                "scaling_task1_ms_per_step", "scaling_task20_ms_per_step", "inference_plain_images_per_s",
                "inference_merged_images_per_s", "inference_unmerged_images_per_s", "w1_ours_all_cores_ms_per_step",
                "w1_core_scaling", "w1_sgemm_all_cores_gflops", "w1_fraction_of_sgemm_peak_1_thread",
                "inference_merged_all_cores_images_per_s", "long_run_task1_peak_rss_mib", "long_run_task5_peak_rss_mib",
                "long_run_min_over_task5", "long_run_max_over_task5", "long_run_hwm_mib")) {
            assertTrue(names.contains(expected), "missing figure " + expected);
        }
        assertTrue(notMeasured.has("vitb16"), "the smoke plan skips ViT-B/16 and must say so");
        for (String expected : List.of("data_synthetic_images_per_s", "data_jpeg_folder_images_per_s",
                "data_synthetic_over_step")) {
            assertTrue(names.contains(expected), "missing data figure " + expected);
        }
        String md = Files.readString(markdown);
        for (String key : BenchmarkReport.HEADLINE_KEYS) {
            assertTrue(md.contains("| `" + key + "` |"), "markdown lacks headline " + key);
        }
        assertTrue(md.contains("| w1 | `w1_ours_ms_per_step` |"), md);
        assertTrue(md.contains("| `w1_ratio_vs_pytorch_all_cores` | ") && md.contains("| >= 1.2 | "), md);
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(Set.of(json, markdown), Set.copyOf(files.toList()), "only the reports, no temporary file");
        }
    }

    @Test
    void withoutPyTorchTheBaselineIsNullAndExplained() throws Exception {
        Path json = dir.resolve("no-torch.json");
        BenchmarkSuite suite = new BenchmarkSuite().console(new PrintStream(new ByteArrayOutputStream(), true,
                StandardCharsets.UTF_8));
        assertEquals(0, new CommandLine(suite).execute("--smoke", "--no-pytorch", "--no-long-run", "--json",
                json.toString()));
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        for (String key : List.of("w1_pytorch_images_per_s", "w1_ratio_vs_pytorch", "w1_ratio_vs_pytorch_all_cores",
                "inference_ratio_vs_pytorch", "rss_task5_mb", "rss_task20_mb")) {
            assertTrue(root.get(key).isNull(), key);
        }
        assertEquals("--no-long-run", root.get("not_measured").get("rss_task5_mb").asText());
        assertTrue(root.get("not_measured").get("w1_pytorch").asText().contains("--no-pytorch"));
        assertPositiveFinite("w1_ours_images_per_s", root.get("w1_ours_images_per_s"));
        assertPositiveFinite("w1_fraction_of_sgemm_peak", root.get("w1_fraction_of_sgemm_peak"));
    }

    @Test
    void rejectsAJsonPathInAMissingDirectory() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new BenchmarkSuite());
        cli.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
        int status = cli.execute("--smoke", "--json", dir.resolve("nope/bench.json").toString());
        assertEquals(2, status);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("does not exist"), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void rejectsQuickWithSmoke() {
        CommandLine cli = new CommandLine(new BenchmarkSuite());
        cli.setErr(new java.io.PrintWriter(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        assertEquals(2, cli.execute("--quick", "--smoke"));
    }

    @Test
    void gpuPlanIsRefusedOnTheCpuBuildBeforeMeasuringAnything() {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CommandLine cli = new CommandLine(new BenchmarkSuite().console(new PrintStream(out, true, StandardCharsets.UTF_8)));
        cli.setErr(new java.io.PrintWriter(err, true, StandardCharsets.UTF_8));
        Path json = dir.resolve("gpu.json");
        assertEquals(2, cli.execute("--gpu", "--no-pytorch", "--json", json.toString()));
        String e = err.toString(StandardCharsets.UTF_8);
        assertTrue(e.contains("--gpu measures the CUDA backend") && e.contains("SDLORA_BACKEND=cuda"), e);
        assertEquals("", out.toString(StandardCharsets.UTF_8), "nothing measured");
        assertFalse(Files.exists(json));
        assertEquals(2, cli.execute("--gpu", "--quick"));
    }

    private static void assertPositiveFinite(String name, JsonNode v) {
        assertTrue(v != null && v.isNumber(), name + " is not a number: " + v);
        double d = v.asDouble();
        assertTrue(Double.isFinite(d) && d > 0, name + " must be positive and finite, got " + d);
    }
}
