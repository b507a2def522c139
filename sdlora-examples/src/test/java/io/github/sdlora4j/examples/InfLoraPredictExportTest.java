package io.github.sdlora4j.examples;

import io.github.sdlora4j.io.InfLoraCheckpoint;
import io.github.sdlora4j.io.SafetensorsFile;
import io.github.sdlora4j.io.TimmModelExport;
import io.github.sdlora4j.learner.InfLoraLearner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** predict and export on the learner a tiny InfLoRA run wrote, as on an SD-LoRA one ({@link PredictExportTest}). */
class InfLoraPredictExportTest {

    @TempDir
    static Path dir;
    static Path learnerFile;
    static InfLoraLearner learner;

    @BeforeAll
    static void tinyRun() throws Exception {
        Path out = TinyRuns.runIn(dir, "run", "epochs: 1\nmethod: inflora\n");
        learnerFile = out.resolve(RunOutputs.LEARNER);
        learner = InfLoraCheckpoint.load(learnerFile, null);
        assertEquals(6, learner.numClasses());
        String checkpoint = ConfigLoader.JSON.readTree(out.resolve(RunOutputs.MANIFEST).toFile()).get("method")
                .get("checkpoint").asText();
        assertTrue(checkpoint.contains("(" + InfLoraCheckpoint.FORMAT + ")"), "the manifest names the format: " + checkpoint);
    }

    @Test
    void predictGivesTheLearnersClasses() throws Exception {
        INDArray x = Nd4j.rand(DataType.FLOAT, 7, 3, 16, 16);
        INDArray got = PredictExportRuns.predict(learnerFile, x, dir, "x");
        assertArrayEquals(new long[]{7, 6}, got.shape());
        assertArrayEquals(learner.logits(x).argMax(1).toIntVector(), got.argMax(1).toIntVector());

        PredictExportRuns.assertImageFolderPrintsClassNames(learnerFile, dir);
    }

    @Test
    void mergedExportIsAPlainVitWithTheLearnersLogits() throws Exception {
        Path merged = dir.resolve("merged.safetensors");
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 16, 16);
        assertTrue(PredictExportRuns.exportMergedLogits(learnerFile, merged, x).equalsWithEps(learner.logits(x), 1e-4));
        try (SafetensorsFile f = SafetensorsFile.open(merged)) {
            assertTrue(f.metadata().get(TimmModelExport.META_NOTE).startsWith(InfLoraLearner.NAME + " learner"),
                    f.metadata().toString());
        }
        PredictExportRuns.assertExportCopies(learnerFile, dir.resolve("copy.safetensors"));
    }

    @Test
    void aFileOfAnotherFormatIsRefusedNamingTheFormatsPredictReads() throws Exception {
        Path export = dir.resolve("export.safetensors");
        TimmModelExport.exportBackbone(learner.mergedBackbone(), export);
        Path in = dir.resolve("four.npy");
        Npy.writeFloat32(in, Nd4j.rand(DataType.FLOAT, 4, 3, 16, 16));
        String err = PredictExportRuns.failing(1, "predict", "--checkpoint", export.toString(), "--input",
                in.toString(), "--out", dir.resolve("o.npy").toString());
        assertTrue(err.contains(export + ": not a learner checkpoint") && err.contains("\"sdlora4j-learner/1\" (SD-LoRA"
                + " and its variants) or \"sdlora4j-inflora/1\" (InfLoRA)"), err);
    }
}
