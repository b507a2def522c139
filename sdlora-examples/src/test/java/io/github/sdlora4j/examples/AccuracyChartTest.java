package io.github.sdlora4j.examples;

import io.github.sdlora4j.metrics.AccuracyMatrix;
import org.junit.jupiter.api.Test;
import org.knowm.xchart.BitmapEncoder;

import java.awt.image.BufferedImage;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/** The heat map of accuracy.png reads like the printed matrix: task 1 on top. */
class AccuracyChartTest {

    private static boolean near(int rgb, int color) {
        int dr = ((rgb >> 16) & 0xFF) - ((color >> 16) & 0xFF);
        int dg = ((rgb >> 8) & 0xFF) - ((color >> 8) & 0xFF);
        int db = (rgb & 0xFF) - (color & 0xFF);
        return dr * dr + dg * dg + db * db < 30 * 30;
    }

    @Test
    void theRowAfterTaskOneIsDrawnAboveTheRowAfterTaskTwo() {
        AccuracyMatrix m = new AccuracyMatrix();
        m.addRow(new double[]{100}, 100);   // after task 1: full marks (blue)
        m.addRow(new double[]{0, 0}, 0);    // after task 2: nothing (red)
        SeedResult r = SeedResult.of(1, "sdlora", new int[]{0, 1}, List.of("a", "b"), List.of(List.of(0), List.of(1)),
                m, new double[]{1, 1}, m, List.of(List.of(0.5), List.of(0.25)));
        BufferedImage img = BitmapEncoder.getBufferedImage(AccuracyChart.heatMap("sdlora", List.of(r)));
        long blueY = 0;
        long blue = 0;
        long redY = 0;
        long red = 0;
        // The left 60 % holds the cells; the colour legend on the right spans both colours.
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth() * 6 / 10; x++) {
                int rgb = img.getRGB(x, y);
                if (near(rgb, 0x2166AC)) {
                    blueY += y;
                    blue++;
                } else if (near(rgb, 0xB2182B)) {
                    redY += y;
                    red++;
                }
            }
        }
        assertTrue(blue > 1000 && red > 1000, "cells not found: " + blue + " blue, " + red + " red pixels");
        assertTrue(blueY / blue < redY / red, "task 1's row (blue, y " + blueY / blue
                + ") must be above task 2's (red, y " + redY / red + ")");
    }
}
