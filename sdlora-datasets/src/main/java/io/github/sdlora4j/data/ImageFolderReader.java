package io.github.sdlora4j.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Pre-split image folders {@code root/train/<class>/*.jpg|jpeg|png} and {@code root/test/<class>/...}
 * (ImageNet-R, ImageNet-A, CUB-200 as the reference archives ship them).
 *
 * <p>The original class index is the position of the class folder in the sorted list of
 * {@code root/train}'s sub-folders (torchvision's {@code ImageFolder}); {@code root/test} must contain
 * exactly the same class folders. Files with other extensions are ignored; files are sorted by name.
 * Images are decoded lazily, one batch at a time.
 */
public final class ImageFolderReader implements DatasetReader {

    private final String name;

    /** @param name the format name this instance is registered under (e.g. {@code "imagenet-r"}) */
    public ImageFolderReader(String name) {
        this.name = java.util.Objects.requireNonNull(name, "name");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public LabeledDataset read(Path root, Map<String, String> options, boolean skipCorrupt) {
        BinaryIo.requireDirectory(root, name);
        Path trainDir = requireSplit(root, "train");
        Path testDir = requireSplit(root, "test");
        List<String> classes = classFolders(trainDir);
        if (classes.isEmpty()) {
            throw new DatasetFormatException(trainDir, "expected one sub-folder per class, found none");
        }
        List<String> testClasses = classFolders(testDir);
        for (String c : classes) {
            if (!testClasses.contains(c)) {
                throw new DatasetFormatException(testDir.resolve(c), "expected a test folder for class '" + c
                        + "', which exists in " + trainDir);
            }
        }
        for (String c : testClasses) {
            if (!classes.contains(c)) {
                throw new DatasetFormatException(trainDir.resolve(c), "expected a train folder for class '" + c
                        + "', which exists in " + testDir);
            }
        }
        FileListSplit train = split(trainDir, classes);
        FileListSplit test = split(testDir, classes);
        List<Path> files = new ArrayList<>(train.files());
        files.addAll(test.files());
        return new LabeledDataset(name + " at " + root, classes, train, test, files);
    }

    private static Path requireSplit(Path root, String split) {
        Path dir = root.resolve(split);
        if (!Files.isDirectory(dir)) {
            throw new DatasetFormatException(dir, "expected the '" + split + "' split folder (layout root/{train,test}/<class>/*.jpg|png), it is missing");
        }
        return dir;
    }

    private static List<String> classFolders(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .collect(TreeSet::new, TreeSet::add, TreeSet::addAll));
        } catch (IOException e) {
            throw new DatasetFormatException(dir, "expected a readable folder", e);
        }
    }

    private static FileListSplit split(Path dir, List<String> classes) {
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            Path classDir = dir.resolve(classes.get(c));
            List<Path> images;
            try (Stream<Path> s = Files.list(classDir)) {
                images = s.filter(ImageFolderReader::isImage).sorted().toList();
            } catch (IOException e) {
                throw new DatasetFormatException(classDir, "expected a readable class folder", e);
            }
            if (images.isEmpty()) {
                throw new DatasetFormatException(classDir, "expected at least one .jpg, .jpeg or .png image in the class folder, found none");
            }
            for (Path p : images) {
                files.add(p);
                labels.add(c);
            }
        }
        return new FileListSplit(files, labels.stream().mapToInt(Integer::intValue).toArray());
    }

    static boolean isImage(Path p) {
        String n = p.getFileName().toString().toLowerCase(Locale.ROOT);
        return Files.isRegularFile(p) && (n.endsWith(".jpg") || n.endsWith(".jpeg") || n.endsWith(".png"));
    }
}
