package io.github.sdlora4j.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code run} checks every split's files before the first step and lists every bad one at once. */
class DataPreflightTest {

    @TempDir
    Path dir;

    /** Image folders of 4 classes (2 tasks of 2), 16x16 noise JPEGs; returns a run config over them. */
    private Path imageFolderRun() throws IOException {
        Random random = new Random(7);
        for (String c : new String[] {"a", "b", "c", "d"}) {
            for (String split : new String[] {"train", "test"}) {
                Path classDir = Files.createDirectories(dir.resolve("data/" + split + "/" + c));
                for (int i = 0; i < (split.equals("train") ? 4 : 2); i++) {
                    BufferedImage img = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 16; y++) {
                        for (int x = 0; x < 16; x++) {
                            img.setRGB(x, y, random.nextInt(1 << 24));
                        }
                    }
                    ImageIO.write(img, "jpg", classDir.resolve(i + ".jpg").toFile());
                }
            }
        }
        Path config = dir.resolve("folders.yaml");
        Files.writeString(config, """
                dataset:
                  format: image-folder
                  root: %s
                  initialClasses: 2
                  classesPerTask: 2
                  preprocessing: {imageSize: 16, resizeSize: 16, minScale: 0.5}
                  decodeThreads: 1
                  prefetchBatches: 1
                backbone: tiny-test
                optimizer: {type: sgd, learningRate: 0.05}
                epochs: 1
                batchSize: 4
                seeds: [1993]
                """.formatted(dir.resolve("data")));
        return config;
    }

    @Test
    void corruptFilesOfEverySplitAreListedBeforeTrainingAndNothingIsWritten() throws IOException {
        Path config = imageFolderRun();
        for (String c : new String[] {"a", "b", "c", "d"}) {
            Path truncated = dir.resolve("data/train/" + c + "/3.jpg");
            byte[] bytes = Files.readAllBytes(truncated);
            Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length * 2 / 3));
        }
        Path text = dir.resolve("data/test/d/notes.jpg");
        Files.writeString(text, "not an image");
        Path out = dir.resolve("out");
        StringWriter err = new StringWriter();
        var cl = SdloraCli.commandLine();
        cl.setErr(new PrintWriter(err, true));

        assertEquals(1, cl.execute("run", "--config", config.toString(), "--out", out.toString()), err.toString());
        String message = err.toString();
        assertTrue(message.contains("5 of 25 images cannot be used (train 4, test 1)"), message);
        for (String c : new String[] {"a", "b", "c", "d"}) {
            assertTrue(message.contains(dir.resolve("data/train/" + c + "/3.jpg").toString()), message);
        }
        assertTrue(message.contains(text + ": expected a JPEG or PNG image"), message);
        assertTrue(message.contains("dataset.skipCorrupt: true"), message);
        assertFalse(message.contains("learning rate"), "a data error, not a training stop: " + message);
        assertFalse(Files.exists(out.resolve(RunOutputs.MANIFEST)), "nothing written before training");
        assertFalse(Files.exists(out.resolve(RunOutputs.STATE)), "nothing written before training");

        // skipCorrupt keeps skipping and counting: the same data trains to the end.
        Files.writeString(config, Files.readString(config)
                .replace("  decodeThreads: 1", "  decodeThreads: 1\n  skipCorrupt: true"));
        assertEquals(0, cl.execute("run", "--config", config.toString(), "--out", out.toString()), err.toString());
        assertTrue(Files.exists(out.resolve(RunOutputs.RESULTS_JSON)));
    }
}
