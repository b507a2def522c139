package io.github.sdlora4j.examples;

import io.github.sdlora4j.io.LearnerCheckpoint;
import io.github.sdlora4j.io.SafetensorsFile;
import io.github.sdlora4j.learner.ClassifierGraph;
import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.learner.SdLoraLearner;
import io.github.sdlora4j.vit.QkvAdapter;
import io.github.sdlora4j.vit.VitWeights;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
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
        Path in = dir.resolve("x.npy");
        Path logits = dir.resolve("logits.npy");
        Npy.writeFloat32(in, x);
        assertEquals(0, SdloraCli.commandLine().execute("predict", "--checkpoint", learnerFile.toString(), "--input",
                in.toString(), "--out", logits.toString()));
        INDArray got = Npy.readFloat32(logits);
        assertArrayEquals(new long[]{5, 6}, got.shape());
        assertTrue(got.equalsWithEps(learner.logits(x), 1e-5));
    }

    @Test
    void predictRejectsAWrongShapeNamingTheExpectedOne() throws Exception {
        Path in = dir.resolve("bad.npy");
        Npy.writeFloat32(in, Nd4j.rand(DataType.FLOAT, 2, 3, 32, 32));
        StringWriter err = new StringWriter();
        var cl = SdloraCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(1, cl.execute("predict", "--checkpoint", learnerFile.toString(), "--input", in.toString(), "--out",
                dir.resolve("o.npy").toString()));
        assertTrue(err.toString().contains("expected [N, 3, 16, 16]"), err.toString());
    }

    @Test
    void predictOnAnImageFolderPrintsClassNames() throws Exception {
        Path images = Files.createDirectories(dir.resolve("images"));
        for (int i = 0; i < 3; i++) {
            BufferedImage img = new BufferedImage(20, 20, BufferedImage.TYPE_INT_RGB);
            img.setRGB(i * 5, i * 5, 0xFF0000 + i);
            ImageIO.write(img, "png", images.resolve("img" + i + ".png").toFile());
        }
        var names = ConfigLoader.JSON.readTree(RunOutputs.classesFile(learnerFile).toFile()).get("class_names");
        String printed = TinyRuns.capturingStdout(() -> assertEquals(0, SdloraCli.commandLine().execute("predict",
                "--checkpoint", learnerFile.toString(), "--images", images.toString())));
        String[] lines = printed.strip().split("\n");
        assertEquals(3, lines.length, printed);
        for (int i = 0; i < 3; i++) {
            String[] parts = lines[i].split("\t");
            assertEquals("img" + i + ".png", parts[0]);
            boolean known = false;
            for (var n : names) {
                known |= n.asText().equals(parts[1]);
            }
            assertTrue(known, "not a class name: " + parts[1]);
        }
    }

    @Test
    void mergedExportIsAPlainVitWithTheLearnersLogits() throws Exception {
        Path merged = dir.resolve("merged.safetensors");
        assertEquals(0, SdloraCli.commandLine().execute("export", "--checkpoint", learnerFile.toString(), "--out",
                merged.toString(), "--merged"));
        VitWeights backbone = BackboneFiles.read(merged, null, merged.toString());
        INDArray w;
        INDArray b;
        try (SafetensorsFile f = SafetensorsFile.open(merged)) {
            assertTrue(f.names().stream().noneMatch(n -> n.startsWith("sdlora.")), "no adapter tensors: " + f.names());
            w = f.read(ClassifierHead.WEIGHT, DataType.FLOAT);
            b = f.read(ClassifierHead.BIAS, DataType.FLOAT);
        }
        INDArray x = Nd4j.rand(DataType.FLOAT, 4, 3, 16, 16);
        INDArray plain = new ClassifierGraph(backbone, QkvAdapter.NONE, new ClassifierHead(w, b), DataType.FLOAT)
                .logits(x);
        assertTrue(plain.equalsWithEps(learner.logits(x), 1e-4));

        Path copy = dir.resolve("copy.safetensors");
        assertEquals(0, SdloraCli.commandLine().execute("export", "--checkpoint", learnerFile.toString(), "--out",
                copy.toString()));
        assertArrayEquals(Files.readAllBytes(learnerFile), Files.readAllBytes(copy));
    }

    private static String failing(int expectedExit, String... args) {
        StringWriter err = new StringWriter();
        var cl = SdloraCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(expectedExit, cl.execute(args), err.toString());
        return err.toString();
    }

    @Test
    void inputErrorsNameTheFileAndSayWhatIsWrong() throws Exception {
        Path tiny = Files.write(dir.resolve("five.npy"), new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P'});
        String eof = failing(1, "predict", "--checkpoint", learnerFile.toString(), "--input", tiny.toString(),
                "--out", dir.resolve("o1.npy").toString());
        assertTrue(eof.contains(tiny + ": not a complete .npy file") && !eof.contains("EOFException"), eof);

        Path missing = dir.resolve("nowhere.npy");
        String gone = failing(1, "predict", "--checkpoint", learnerFile.toString(), "--input", missing.toString(),
                "--out", dir.resolve("o2.npy").toString());
        assertTrue(gone.contains("--input " + missing + " does not exist"), gone);
        String noLearner = failing(1, "export", "--checkpoint", missing.toString(), "--out",
                dir.resolve("e.safetensors").toString());
        assertTrue(noLearner.contains("--checkpoint " + missing + " does not exist"), noLearner);
    }

    @Test
    void mixingImagesAndOutIsAUsageError() throws Exception {
        Path images = Files.createDirectories(dir.resolve("some-images"));
        String usage = failing(2, "predict", "--checkpoint", learnerFile.toString(), "--images", images.toString(),
                "--out", dir.resolve("x.npy").toString());
        assertTrue(usage.contains("--out goes with --input"), usage);
        String noOut = failing(2, "predict", "--checkpoint", learnerFile.toString(), "--input",
                dir.resolve("x.npy").toString());
        assertTrue(noOut.contains("--input needs --out"), noOut);
    }
}
