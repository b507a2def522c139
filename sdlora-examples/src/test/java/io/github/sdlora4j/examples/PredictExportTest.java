package io.github.sdlora4j.examples;

import io.github.sdlora4j.io.LearnerCheckpoint;
import io.github.sdlora4j.learner.SdLoraLearner;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** predict and export on the learner a tiny run wrote. */
class PredictExportTest {

    @TempDir
    static Path dir;
    static Path learnerFile;
    static SdLoraLearner learner;

    @BeforeAll
    static void tinyRun() throws Exception {
        Path out = TinyRuns.runIn(dir, "run", "epochs: 1\n");
        learnerFile = out.resolve(RunOutputs.LEARNER);
        learner = LearnerCheckpoint.load(learnerFile);
        assertEquals(6, learner.numClasses());
    }

    @Test
    void predictWritesTheLearnersLogitsAsNpy() throws Exception {
        INDArray x = Nd4j.rand(DataType.FLOAT, 5, 3, 16, 16);
        INDArray got = PredictExportRuns.predict(learnerFile, x, dir, "x");
        assertArrayEquals(new long[]{5, 6}, got.shape());
        assertTrue(got.equalsWithEps(learner.logits(x), 1e-5));
    }

    @Test
    void predictRejectsAWrongShapeNamingTheExpectedOne() throws Exception {
        Path in = dir.resolve("bad.npy");
        Npy.writeFloat32(in, Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32));
        String err = PredictExportRuns.failing(1, "predict", "--checkpoint", learnerFile.toString(), "--input",
                in.toString(), "--out", dir.resolve("o.npy").toString());
        assertTrue(err.contains("expected [N, 3, 16, 16]"), err);
    }

    @Test
    void predictOnAnImageFolderPrintsClassNames() throws Exception {
        PredictExportRuns.assertImageFolderPrintsClassNames(learnerFile, dir);
    }

    @Test
    void mergedExportIsAPlainVitWithTheLearnersLogits() throws Exception {
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 16, 16);
        INDArray plain = PredictExportRuns.exportMergedLogits(learnerFile, dir.resolve("merged.safetensors"), x);
        assertTrue(plain.equalsWithEps(learner.logits(x), 1e-4));
        PredictExportRuns.assertExportCopies(learnerFile, dir.resolve("copy.safetensors"));
    }

    @Test
    void inputErrorsNameTheFileAndSayWhatIsWrong() throws Exception {
        Path tiny = Files.write(dir.resolve("five.npy"), new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P'});
        String eof = PredictExportRuns.failing(1, "predict", "--checkpoint", learnerFile.toString(), "--input", tiny.toString(),
                "--out", dir.resolve("o1.npy").toString());
        assertTrue(eof.contains(tiny + ": not a complete .npy file") && !eof.contains("EOFException"), eof);

        Path missing = dir.resolve("nowhere.npy");
        String gone = PredictExportRuns.failing(1, "predict", "--checkpoint", learnerFile.toString(), "--input", missing.toString(),
                "--out", dir.resolve("o2.npy").toString());
        assertTrue(gone.contains("--input " + missing + " does not exist"), gone);
        String noLearner = PredictExportRuns.failing(1, "export", "--checkpoint", missing.toString(), "--out",
                dir.resolve("e.safetensors").toString());
        assertTrue(noLearner.contains("--checkpoint " + missing + " does not exist"), noLearner);
    }

    @Test
    void mixingImagesAndOutIsAUsageError() throws Exception {
        Path images = Files.createDirectories(dir.resolve("some-images"));
        String usage = PredictExportRuns.failing(2, "predict", "--checkpoint", learnerFile.toString(), "--images", images.toString(),
                "--out", dir.resolve("x.npy").toString());
        assertTrue(usage.contains("--out goes with --input"), usage);
        String noOut = PredictExportRuns.failing(2, "predict", "--checkpoint", learnerFile.toString(), "--input",
                dir.resolve("x.npy").toString());
        assertTrue(noOut.contains("--input needs --out"), noOut);
    }
}
