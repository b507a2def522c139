package io.github.sdlora4j.io;

import io.github.sdlora4j.learner.ClassifierGraph;
import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.learner.OptimizerConfig;
import io.github.sdlora4j.learner.SdLoraConfig;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.lora.RankSchedule;
import io.github.sdlora4j.vit.TestWeights;
import io.github.sdlora4j.vit.TimmVitLayout;
import io.github.sdlora4j.vit.VitConfig;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TimmModelExportTest {

    static final VitConfig C = VitConfig.TINY_TEST;

    @Test
    void mergedExportReimportsToTheLearnersLogitsWithTimmsKeySet(@TempDir Path dir) throws IOException {
        SdLoraConfig config = SdLoraConfig.reference(C).withRanks(RankSchedule.constant(3))
                .withOptimizer(new OptimizerConfig("sgd", 0.05, 0.9, List.of(), 0.1));
        SdLoraLearner learner = SdLoraLearner.create(config, TestWeights.perturbed(C, 3, DataType.FLOAT));
        for (int t = 0; t < 2; t++) {
            learner.beforeTask(2);
            for (int s = 0; s < 2; s++) {
                learner.trainStep(LearnerCheckpointTest.batch(2 * t, 2, 2 * t + 2, 10 * t + s), 0, s);
            }
            learner.afterTask();
        }
        Path file = dir.resolve("merged.safetensors");
        TimmModelExport.exportMerged(learner, file);

        Set<String> expectedKeys = new LinkedHashSet<>(TimmVitLayout.expectedShapes(C).keySet());
        expectedKeys.add("head.weight");
        expectedKeys.add("head.bias");
        try (SafetensorsFile in = SafetensorsFile.open(file)) {
            assertEquals(List.copyOf(expectedKeys), List.copyOf(in.names()), "timm's keys in timm's order");
            in.names().forEach(n -> assertEquals("F32", in.info(n).dtype(), n));
            assertEquals("4", in.metadata().get(TimmModelExport.META_NUM_CLASSES));
            assertEquals("timm.models.vision_transformer.VisionTransformer(img_size=16, patch_size=4, in_chans=3, "
                    + "embed_dim=32, depth=2, num_heads=2, mlp_ratio=2.0, num_classes=4)",
                    in.metadata().get(TimmModelExport.META_TIMM_MODEL));
        }
        VitWeights backbone = TimmBackboneImporter.load(file, C);
        ClassifierHead head = TimmBackboneImporter.loadHead(file, C.dim()).orElseThrow();
        INDArray x = TestWeights.images(C, 5, 11, DataType.FLOAT);
        INDArray expected = learner.logits(x);
        INDArray actual = new ClassifierGraph(backbone, null, head, DataType.FLOAT).logits(x);
        assertArrayEquals(expected.data().asFloat(), actual.data().asFloat(), 1e-5f);

        // The merge matters: the adapters moved q/v away from the frozen backbone, and the export carries that.
        String qkv = TimmVitLayout.block(0, "attn.qkv.weight");
        assertFalse(learner.backbone().get(qkv).equalsWithEps(backbone.get(qkv), 1e-7));
        INDArray unmerged = new ClassifierGraph(learner.backbone(), null, head, DataType.FLOAT).logits(x);
        assertTrue(unmerged.sub(expected).amaxNumber().doubleValue() > 1e-4, "adapters changed the logits");
    }

    @Test
    void rejectsALearnerWithoutClassesAndAHeadOfAnotherWidth(@TempDir Path dir) {
        SdLoraLearner learner = SdLoraLearner.create(SdLoraConfig.reference(C).withRanks(RankSchedule.constant(3)),
                VitWeights.random(C, 1, DataType.FLOAT));
        Path file = dir.resolve("m.safetensors");
        assertThrows(IllegalStateException.class, () -> TimmModelExport.exportMerged(learner, file));
        ClassifierHead narrow = ClassifierHead.empty(C.dim() - 1, DataType.FLOAT);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TimmModelExport.exportModel(learner.backbone(), narrow, file));
        assertTrue(e.getMessage().contains("width 31"), e.getMessage());
        assertFalse(Files.exists(file));
    }

    @Test
    void vitB16GetsTheTimmModelName() {
        assertEquals("timm.create_model('vit_base_patch16_224', num_classes=100)",
                TimmModelExport.timmConstructor(VitConfig.VIT_B16, 100));
    }
}
