package io.github.sdlora4j.examples;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.sdlora4j.data.DatasetIdentity;
import io.github.sdlora4j.data.DatasetReaders;
import io.github.sdlora4j.io.LearnerCheckpoint;
import io.github.sdlora4j.io.SafetensorsFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a tiny run records besides class-IL accuracy: provenance, task-IL accuracy, epoch losses, class names. */
class RunRecordTest {

    @TempDir
    static Path dir;
    static Path out;
    static String[] args;

    @BeforeAll
    static void tinyRun() throws Exception {
        Path config = TinyRuns.config(dir, "epochs: 2\n");
        out = dir.resolve("run");
        args = new String[]{"run", "--config", config.toString(), "--out", out.toString()};
        assertEquals(0, SdloraCli.commandLine().execute(args));
    }

    @Test
    void manifestRecordsTheCommandLineAndTheSyntheticGeneratorsOptions() throws Exception {
        JsonNode m = ConfigLoader.JSON.readTree(out.resolve(RunOutputs.MANIFEST).toFile());
        List<String> expected = new java.util.ArrayList<>(List.of("sdlora"));
        expected.addAll(List.of(args));
        assertEquals(ConfigLoader.JSON.valueToTree(expected), m.get("command_line"));
        JsonNode dataset = m.get("dataset");
        assertEquals("synthetic", dataset.get("format").asText());
        assertEquals(0, dataset.get("files").asInt());
        Map<String, String> generator = DatasetReaders.forName("synthetic").generatorOptions(
                Map.of("classes", "6", "trainPerClass", "24", "testPerClass", "8", "size", "16"));
        assertEquals(ConfigLoader.JSON.valueToTree(generator), dataset.get("generator"));
        assertEquals(ConfigLoader.JSON.readTree(ConfigLoader.JSON.writeValueAsString(
                new DatasetIdentity("synthetic", 0, 0, null, generator))), dataset);
        assertTrue(m.get("git_dirty").isBoolean(), "the tests run inside a git checkout: " + m);
    }

    @Test
    void resultsHoldTaskIlNextToClassIlAndTheMeanLossOfEveryEpoch() throws Exception {
        JsonNode r = ConfigLoader.JSON.readTree(out.resolve(RunOutputs.RESULTS_JSON).toFile());
        JsonNode cil = r.get("accuracy_matrix");
        JsonNode til = r.get("task_il_accuracy_matrix");
        assertEquals(3, til.size());
        // After task 1 only its classes exist, so the task id changes nothing; later a class-IL hit is a task-IL hit.
        assertEquals(cil.get(0).get(0).asDouble(), til.get(0).get(0).asDouble());
        for (int i = 0; i < 3; i++) {
            assertEquals(i + 1, til.get(i).size());
            for (int j = 0; j <= i; j++) {
                assertTrue(til.get(i).get(j).asDouble() >= cil.get(i).get(j).asDouble(), "R_til >= R_cil at " + i + j);
            }
            assertTrue(r.get("task_il_seen_accuracy").get(i).asDouble() >= r.get("seen_accuracy").get(i).asDouble());
        }
        assertEquals(r.get("task_il_seen_accuracy").get(2).asDouble(), r.get("task_il_final_accuracy").asDouble());
        assertEquals(r.get("task_il_final_accuracy").asDouble(), r.get("mean").get("task_il_final_accuracy")
                .asDouble());
        JsonNode losses = r.get("epoch_train_loss");
        assertEquals(3, losses.size(), "one list per task");
        for (JsonNode task : losses) {
            assertEquals(2, task.size(), "one mean loss per epoch");
            task.forEach(l -> assertTrue(l.isDouble() && l.asDouble() > 0 && Double.isFinite(l.asDouble()), task
                    .toString()));
        }
    }

    @Test
    void theLearnerCarriesItsClassNamesAndTheMergedExportWritesThem() throws Exception {
        Path learner = out.resolve(RunOutputs.LEARNER);
        JsonNode side = ConfigLoader.JSON.readTree(RunOutputs.classesFile(learner).toFile());
        var classes = LearnerCheckpoint.readClassifierMetadata(learner).orElseThrow();
        assertEquals(ConfigLoader.JSON.convertValue(side.get("class_names"), List.class), classes.classNames());
        assertEquals(ConfigLoader.JSON.convertValue(side.get("class_order"), List.class), classes.classOrder());
        assertEquals(18, classes.preprocessing().resizeSize(), "round(16 * 256 / 224)");

        Path merged = dir.resolve("merged.safetensors");
        String said = TinyRuns.capturingStdout(() -> assertEquals(0, SdloraCli.commandLine().execute("export",
                "--checkpoint", learner.toString(), "--out", merged.toString(), "--merged")));
        assertTrue(said.contains("their names and the preprocessing"), said);
        try (SafetensorsFile f = SafetensorsFile.open(merged)) {
            Map<String, String> meta = f.metadata();
            assertEquals(side.get("class_names"), ConfigLoader.JSON.readTree(meta.get("class_names")));
            assertEquals(side.get("class_order"), ConfigLoader.JSON.readTree(meta.get("class_order")));
            JsonNode pre = ConfigLoader.JSON.readTree(meta.get("preprocessing"));
            assertEquals(16, pre.get("crop_size").asInt());
            assertEquals("bicubic", pre.get("interpolation").asText());
            assertEquals("[0.0,0.0,0.0]", pre.get("mean").toString(), "the tiny config normalizes nothing");
            assertTrue(meta.get("preprocessing_torchvision").contains("transforms.CenterCrop(16)"));
        }

        // A checkpoint written without class names (an older file) still exports, without them.
        Path old2 = dir.resolve("no-names.safetensors");
        LearnerCheckpoint.save(LearnerCheckpoint.load(learner), old2);
        Path merged2 = dir.resolve("merged2.safetensors");
        assertEquals(0, SdloraCli.commandLine().execute("export", "--checkpoint", old2.toString(), "--out",
                merged2.toString(), "--merged"));
        try (SafetensorsFile f = SafetensorsFile.open(merged2)) {
            assertFalse(f.metadata().containsKey("class_names"));
        }
    }
}
