package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sdlora4j.data.DatasetIdentity;
import io.github.sdlora4j.io.BundledBackbones;
import io.github.sdlora4j.learner.AbstractClassIncrementalLearner;
import io.github.sdlora4j.learner.ClassIncrementalLearner;
import io.github.sdlora4j.learner.EngineChoice;
import io.github.sdlora4j.learner.TaskExperience;
import io.github.sdlora4j.metrics.AccuracyMatrix;
import io.github.sdlora4j.vit.VitConfig;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The output files, from hand-made results (no training). */
class RunOutputsTest {

    @TempDir
    Path dir;

    private static SeedResult result(long seed, double[][] rows, double[] seen) {
        AccuracyMatrix m = new AccuracyMatrix();
        AccuracyMatrix taskIl = new AccuracyMatrix();
        for (int i = 0; i < rows.length; i++) {
            m.addRow(rows[i], seen[i]);
            double[] til = rows[i].clone();
            til[0] = 100; // with the task id given, task 1 is always right here
            taskIl.addRow(til, (seen[i] + 100) / 2);
        }
        return SeedResult.of(seed, "sdlora", new int[]{1, 0, 3, 2}, List.of("b", "a", "d", "c"),
                List.of(List.of(1, 0), List.of(3, 2)), m, new double[]{1.5, 2.5}, taskIl,
                List.of(List.of(2.0 + seed, 1.0 + seed), List.of(0.5, 0.25)));
    }

    @Test
    void resultsJsonCsvAndChartForTwoSeeds() throws Exception {
        RunConfig config = ConfigLoader.load(TinyRuns.config(dir, ""));
        SeedResult a = result(1, new double[][]{{90}, {70, 80}}, new double[]{90, 75});
        SeedResult b = result(2, new double[][]{{80}, {60, 90}}, new double[]{80, 75});
        new RunOutputs(dir).writeResults(config, Methods.require("sdlora"), List.of(a, b));

        JsonNode r = ConfigLoader.JSON.readTree(dir.resolve(RunOutputs.RESULTS_JSON).toFile());
        assertEquals(2, r.get("runs").size());
        assertFalse(r.has("final_accuracy"), "several seeds: figures only per run and as mean/std");
        // forgetting: seed 1: 90-70 = 20, seed 2: 80-60 = 20; AAA 82.5 and 77.5.
        assertEquals(20.0, r.get("mean").get("forgetting").asDouble(), 1e-12);
        assertEquals(0.0, r.get("std").get("forgetting").asDouble(), 1e-12);
        assertEquals(80.0, r.get("mean").get("average_anytime_accuracy").asDouble(), 1e-12);
        assertEquals(Math.sqrt(12.5), r.get("std").get("average_anytime_accuracy").asDouble(), 1e-12);
        assertEquals(85.0, r.get("mean").get("accuracy_matrix").get(1).get(1).asDouble(), 1e-12);
        assertEquals(-20.0, r.get("runs").get(0).get("bwt").asDouble(), 1e-12);
        assertEquals("[[1,0],[3,2]]", r.get("runs").get(1).get("task_classes").toString());
        // Task-IL next to class-IL: seed 1 final (75+100)/2 = 87.5, seed 2 the same; AAA 91.25 and 88.75.
        assertEquals("[[100.0],[100.0,80.0]]", r.get("runs").get(0).get("task_il_accuracy_matrix").toString());
        assertEquals(87.5, r.get("mean").get("task_il_final_accuracy").asDouble(), 1e-12);
        assertEquals(90.0, r.get("mean").get("task_il_average_anytime_accuracy").asDouble(), 1e-12);
        assertEquals(Math.sqrt(3.125), r.get("std").get("task_il_average_anytime_accuracy").asDouble(), 1e-12);
        assertEquals(85.0, r.get("mean").get("task_il_accuracy_matrix").get(1).get(1).asDouble(), 1e-12);
        assertEquals(92.5, r.get("mean").get("task_il_seen_accuracy").get(0).asDouble(), 1e-12);
        assertEquals("[[4.0,3.0],[0.5,0.25]]", r.get("runs").get(1).get("epoch_train_loss").toString());

        List<String> csv = Files.readAllLines(dir.resolve(RunOutputs.RESULTS_CSV));
        assertEquals("seed,task,accuracy_seen,accuracy_task_1,accuracy_task_2,wall_seconds,task_il_accuracy_seen,"
                + "task_il_accuracy_task_1,task_il_accuracy_task_2", csv.get(0));
        assertEquals("1,1,90.0000,90.0000,,1.5000,95.0000,100.0000,", csv.get(1));
        assertEquals("2,2,75.0000,60.0000,90.0000,2.5000,87.5000,100.0000,90.0000", csv.get(4));
        assertEquals(5, csv.size());

        BufferedImage png = ImageIO.read(dir.resolve(RunOutputs.CHART).toFile());
        assertNotNull(png);
        assertTrue(png.getWidth() > png.getHeight(), "two charts side by side");
    }

    @Test
    void singleSeedFiguresAlsoAtTopLevel() throws Exception {
        RunConfig config = ConfigLoader.load(TinyRuns.config(dir, ""));
        new RunOutputs(dir).writeResults(config, Methods.require("sdlora"),
                List.of(result(5, new double[][]{{90}, {70, 80}}, new double[]{90, 75})));
        JsonNode r = ConfigLoader.JSON.readTree(dir.resolve(RunOutputs.RESULTS_JSON).toFile());
        assertEquals(75.0, r.get("final_accuracy").asDouble());
        assertEquals(5, r.get("seed").asLong());
        assertEquals("[[90.0],[70.0,80.0]]", r.get("accuracy_matrix").toString());
    }

    @Test
    void manifestHoldsEffectiveConfigVersionsAndTheBundledBackboneHash() throws Exception {
        RunConfig config = ConfigLoader.loadResource(DemoCommand.DEMO_CONFIG);
        BackboneFiles.Loaded backbone = BackboneFiles.load(config.backbone(), config.vitConfig(), 1);
        assertEquals(32, backbone.weights().config().imageSize());
        DatasetIdentity dataset = new DatasetIdentity("image-folder", 2, 300, "ab".repeat(32), null);
        Methods.Method method = Methods.require(config.method().name());
        ClassIncrementalLearner learner = method.create(config, backbone.weights(), 1, 5);
        new RunOutputs(dir).writeManifest(config, ConfigLoader.effective(config), method, learner, backbone, dataset,
                Invocation.here(List.of("run", "--config", "my config.yaml")));
        JsonNode m = ConfigLoader.JSON.readTree(dir.resolve(RunOutputs.MANIFEST).toFile());
        byte[] resource;
        // The demo names a bundled backbone: the manifest's hash must be that resource's.
        assertTrue(config.backbone().startsWith(BackboneFiles.BUNDLED_PREFIX), config.backbone());
        String name = config.backbone().substring(BackboneFiles.BUNDLED_PREFIX.length());
        try (InputStream in = BackboneFiles.class.getResourceAsStream("/" + BundledBackbones.resource(name))) {
            resource = in.readAllBytes();
        }
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(resource)),
                m.get("backbone").get("sha256").asText());
        assertEquals(ConfigLoader.effective(config), m.get("config"));
        assertEquals(0.9, m.get("config").get("optimizer").get("momentum").asDouble());
        assertTrue(m.get("backend").get("class").asText().contains("Cpu"), m.get("backend").toString());
        assertEquals("fused", m.get("backend").get("training_engine").asText(), "the tests run with the vector module");
        assertFalse(m.get("versions").get("java").asText().isEmpty());
        assertEquals(VitConfig.TIMM_LAYER_NORM_EPS, m.get("backbone").get("vit").get("layerNormEps").asDouble());
        assertEquals("[\"sdlora\",\"run\",\"--config\",\"my config.yaml\"]", m.get("command_line").toString());
        assertEquals(Path.of("").toAbsolutePath().toString(), m.get("working_directory").asText());
        assertEquals("ab".repeat(32), m.get("dataset").get("sha256").asText());
        assertEquals(300, m.get("dataset").get("bytes").asLong());
        // The tests run from a git checkout: the commit and whether its tree has changes.
        assertTrue(m.get("git_commit").asText().matches("[0-9a-f]{40}"), m.toString());
        assertTrue(m.get("git_dirty").isBoolean(), m.toString());

        new RunOutputs(dir).writeManifest(config, ConfigLoader.effective(config), method, learner, backbone, dataset,
                null);
        assertFalse(ConfigLoader.JSON.readTree(dir.resolve(RunOutputs.MANIFEST).toFile()).has("command_line"),
                "no command line when run from the API");
    }

    /** A learner whose method has no fused training step. */
    private static final class WithoutFusedStep extends AbstractClassIncrementalLearner {
        WithoutFusedStep() {
            super(1);
        }

        @Override
        protected String fusedEngineMissing() {
            return "has no step for this test's method";
        }

        @Override
        protected void startTask(TaskExperience task) {
        }

        @Override
        protected double trainOn(DataSet batch, int epoch, int step) {
            throw new UnsupportedOperationException("never trained here");
        }

        @Override
        protected void endTask(TaskExperience task) {
        }

        @Override
        public INDArray logits(INDArray images) {
            throw new UnsupportedOperationException("never asked here");
        }

        @Override
        public int numClasses() {
            return 0;
        }
    }

    @Test
    void manifestNamesTheEngineTheLearnerTrainsWithNotTheConfigsChoice() throws Exception {
        RunConfig config = ConfigLoader.load(TinyRuns.config(dir, "method: simplecil\n"));
        assertEquals(EngineChoice.AUTO, config.engine());
        BackboneFiles.Loaded backbone = BackboneFiles.load(config.backbone(), config.vitConfig(), 1);
        DatasetIdentity dataset = new DatasetIdentity("synthetic", 0, 0, null, null);
        Map<String, ClassIncrementalLearner> expected = Map.of(
                "fused", Methods.require("sdlora").create(config, backbone.weights(), 1, 3),
                "samediff", new WithoutFusedStep(),
                "none", Methods.require("simplecil").create(config, backbone.weights(), 1, 3));
        for (Map.Entry<String, ClassIncrementalLearner> e : expected.entrySet()) {
            new RunOutputs(dir).writeManifest(config, ConfigLoader.effective(config), Methods.require("simplecil"),
                    e.getValue(), backbone, dataset, null);
            JsonNode m = ConfigLoader.JSON.readTree(dir.resolve(RunOutputs.MANIFEST).toFile());
            assertEquals(e.getKey(), m.get("backend").get("training_engine").asText(), e.getValue().getClass()
                    + " (the tests run with the vector module)");
        }
    }
}
