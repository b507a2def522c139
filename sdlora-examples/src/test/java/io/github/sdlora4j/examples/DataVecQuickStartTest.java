package io.github.sdlora4j.examples;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DataVecQuickStartTest {

    @TempDir
    Path root;

    @Test
    void trainsSdLoraOnAGeneratedFolderReadWithDataVec() throws IOException {
        Color[] colours = {Color.RED, Color.GREEN, Color.BLUE, Color.YELLOW};
        for (String split : new String[] {"train", "test"}) {
            for (int c = 0; c < colours.length; c++) {
                for (int i = 0; i < (split.equals("train") ? 6 : 3); i++) {
                    BufferedImage img = new BufferedImage(40 + i, 36, BufferedImage.TYPE_INT_RGB);
                    Graphics2D g = img.createGraphics();
                    g.setColor(colours[c]);
                    g.fillRect(4 * i, 2 * i, 20, 20);
                    g.dispose();
                    Path f = root.resolve(split).resolve("class" + c).resolve(i + ".png");
                    Files.createDirectories(f.getParent());
                    ImageIO.write(img, "png", f.toFile());
                }
            }
        }
        List<Double> accuracies = DataVecQuickStart.run(root, 1);
        assertEquals(2, accuracies.size(), "4 classes, two a task");
        for (double a : accuracies) {
            assertTrue(a >= 0 && a <= 1, "accuracy " + a);
        }
    }
}
