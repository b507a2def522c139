package io.github.sdlora4j.examples;

import io.github.sdlora4j.io.AtomicFiles;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.internal.chartpart.Chart;

import javax.imageio.ImageIO;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Writes XChart charts side by side, left to right, as one PNG on a white background, atomically. */
final class PngCharts {

    private PngCharts() {
    }

    static void write(Path file, List<? extends Chart<?, ?>> charts) throws IOException {
        if (charts.isEmpty()) {
            throw new IllegalArgumentException("no chart to write to " + file);
        }
        List<BufferedImage> images = charts.stream().map(c -> BitmapEncoder.getBufferedImage(c)).toList();
        int width = images.stream().mapToInt(BufferedImage::getWidth).sum();
        int height = images.stream().mapToInt(BufferedImage::getHeight).max().orElseThrow();
        BufferedImage all = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = all.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        int x = 0;
        for (BufferedImage image : images) {
            g.drawImage(image, x, 0, null);
            x += image.getWidth();
        }
        g.dispose();
        AtomicFiles.write(file, out -> {
            if (!ImageIO.write(all, "png", out)) {
                throw new IOException("no PNG writer available");
            }
        });
    }
}
