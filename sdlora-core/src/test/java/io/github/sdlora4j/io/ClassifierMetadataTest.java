package io.github.sdlora4j.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.sdlora4j.learner.SdLoraLearner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClassifierMetadataTest {

    /** A benchmark of 7 classes (incremental order), of which the learner has seen the first 5. */
    static final ClassifierMetadata BENCHMARK = new ClassifierMetadata(
            List.of("cat", "dog", "frog", "ship", "truck", "bird", "deer"), List.of(3, 5, 6, 8, 9, 2, 4),
            new ClassifierMetadata.Preprocessing(3, 256, 224, "bicubic", List.of(0.5, 0.5, 0.5),
                    List.of(0.25, 0.25, 0.25)));

    static SdLoraLearner learner;

    @BeforeAll
    static void train() {
        LearnerCheckpointTest.train();
        learner = LearnerCheckpointTest.trained;
        assertEquals(5, learner.numClasses());
    }

    @Test
    void checkpointCarriesTheSeenClassesAndTheMergedExportWritesThemForPyTorch(@TempDir Path dir) throws IOException {
        Path ckpt = dir.resolve("learner.safetensors");
        LearnerCheckpoint.save(learner, ckpt, BENCHMARK);
        ClassifierMetadata read = LearnerCheckpoint.readClassifierMetadata(ckpt).orElseThrow();
        assertEquals(List.of("cat", "dog", "frog", "ship", "truck"), read.classNames());
        assertEquals(List.of(3, 5, 6, 8, 9), read.classOrder());
        assertEquals(BENCHMARK.preprocessing(), read.preprocessing());
        SdLoraLearner loaded = LearnerCheckpoint.load(ckpt);

        Path merged = dir.resolve("merged.safetensors");
        TimmModelExport.exportMerged(loaded, read, merged);
        ObjectMapper json = new ObjectMapper();
        try (SafetensorsFile in = SafetensorsFile.open(merged)) {
            Map<String, String> meta = in.metadata();
            assertEquals(List.of("cat", "dog", "frog", "ship", "truck"),
                    json.readValue(meta.get("class_names"), List.class));
            assertEquals(List.of(3, 5, 6, 8, 9), json.readValue(meta.get("class_order"), List.class));
            JsonNode pre = json.readTree(meta.get("preprocessing"));
            assertEquals(256, pre.get("resize_size").asInt());
            assertEquals(224, pre.get("crop_size").asInt());
            assertEquals("bicubic", pre.get("interpolation").asText());
            assertEquals(0.25, pre.get("std").get(2).asDouble());
            assertEquals("transforms.Compose([transforms.Resize(256, interpolation=transforms.InterpolationMode"
                    + ".BICUBIC), transforms.CenterCrop(224), transforms.ToTensor(), transforms.Normalize("
                    + "mean=[0.5, 0.5, 0.5], std=[0.25, 0.25, 0.25])])", meta.get("preprocessing_torchvision"));
        }
    }

    @Test
    void aCheckpointWithoutClassNamesStillLoadsAndExportsWithoutThem(@TempDir Path dir) throws IOException {
        Path ckpt = dir.resolve("old.safetensors");
        LearnerCheckpoint.save(learner, ckpt);
        assertEquals(Optional.empty(), LearnerCheckpoint.readClassifierMetadata(ckpt));
        Path merged = dir.resolve("merged.safetensors");
        TimmModelExport.exportMerged(LearnerCheckpoint.load(ckpt), null, merged);
        try (SafetensorsFile in = SafetensorsFile.open(merged)) {
            assertFalse(in.metadata().containsKey("class_names"));
            assertFalse(in.metadata().containsKey("preprocessing"));
            assertEquals("5", in.metadata().get(TimmModelExport.META_NUM_CLASSES));
        }
    }

    @Test
    void unnormalizedRunsGetIdentityMeanAndStdAndMismatchesAreRefused(@TempDir Path dir) {
        ClassifierMetadata.Preprocessing raw = new ClassifierMetadata.Preprocessing(1, 36, 32, "bilinear", null, null);
        assertEquals(List.of(0.0), raw.mean());
        assertEquals(List.of(1.0), raw.std());
        assertThrows(IllegalArgumentException.class,
                () -> new ClassifierMetadata(List.of("a", "b"), List.of(1), null));
        ClassifierMetadata two = new ClassifierMetadata(List.of("a", "b"), null, null);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TimmModelExport.exportMerged(learner, two, dir.resolve("m.safetensors")));
        assertTrue(e.getMessage().contains("2 class names for a learner with 5 classes"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> two.firstClasses(5));
    }
}
