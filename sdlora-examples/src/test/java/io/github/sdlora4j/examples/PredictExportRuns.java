package io.github.sdlora4j.examples;

import io.github.sdlora4j.io.SafetensorsFile;
import io.github.sdlora4j.learner.ClassifierGraph;
import io.github.sdlora4j.learner.ClassifierHead;
import io.github.sdlora4j.vit.QkvAdapter;
import io.github.sdlora4j.vit.VitWeights;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code predict} and {@code export} run on a learner file, as the tests of every method that has them use them. */
final class PredictExportRuns {

    private PredictExportRuns() {
    }

    /** {@code predict --input} on {@code x} (written to {@code dir/name.npy}); the logits it wrote. */
    static INDArray predict(Path learnerFile, INDArray x, Path dir, String name) throws Exception {
        Path in = dir.resolve(name + ".npy");
        Path logits = dir.resolve(name + "-logits.npy");
        Npy.writeFloat32(in, x);
        assertEquals(0, SdloraCli.commandLine().execute("predict", "--checkpoint", learnerFile.toString(), "--input",
                in.toString(), "--out", logits.toString()));
        return Npy.readFloat32(logits);
    }

    /**
     * {@code export --merged} to {@code merged}: a file that loads as a plain ViT with no tensor of the learner's
     * own (no {@code sdlora.*} or {@code inflora.*} key); its logits on {@code x}.
     */
    static INDArray exportMergedLogits(Path learnerFile, Path merged, INDArray x) throws Exception {
        assertEquals(0, SdloraCli.commandLine().execute("export", "--checkpoint", learnerFile.toString(), "--out",
                merged.toString(), "--merged"));
        VitWeights backbone = BackboneFiles.read(merged, null, merged.toString());
        INDArray w;
        INDArray b;
        try (SafetensorsFile f = SafetensorsFile.open(merged)) {
            assertTrue(f.names().stream().noneMatch(n -> n.startsWith("sdlora.") || n.startsWith("inflora.")),
                    "no adapter or memory tensors: " + f.names());
            w = f.read(ClassifierHead.WEIGHT, DataType.FLOAT);
            b = f.read(ClassifierHead.BIAS, DataType.FLOAT);
        }
        return new ClassifierGraph(backbone, QkvAdapter.NONE, new ClassifierHead(w, b), DataType.FLOAT).logits(x);
    }

    /** {@code export} without {@code --merged} to {@code copy}: the checkpoint's bytes. */
    static void assertExportCopies(Path learnerFile, Path copy) throws Exception {
        assertEquals(0, SdloraCli.commandLine().execute("export", "--checkpoint", learnerFile.toString(), "--out",
                copy.toString()));
        assertArrayEquals(Files.readAllBytes(learnerFile), Files.readAllBytes(copy));
    }

    /** {@code predict --images} on three images written to {@code dir/images}: a known class name for each. */
    static void assertImageFolderPrintsClassNames(Path learnerFile, Path dir) throws Exception {
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

    /** Runs {@code sdlora args}, which must exit with {@code expectedExit}; what it printed to stderr. */
    static String failing(int expectedExit, String... args) {
        StringWriter err = new StringWriter();
        var cl = SdloraCli.commandLine();
        cl.setErr(new PrintWriter(err, true));
        assertEquals(expectedExit, cl.execute(args), err.toString());
        return err.toString();
    }
}
