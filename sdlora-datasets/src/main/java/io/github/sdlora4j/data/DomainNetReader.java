package io.github.sdlora4j.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.IntStream;
import java.util.stream.Stream;

/**
 * DomainNet: {@code <root>/<domain>_train.txt} and {@code <root>/<domain>_test.txt}, each line
 * {@code relative/path/to/image.jpg label}, paths relative to {@code root}, labels 0..344.
 *
 * <p>Options: {@code domains} (comma-separated, default: every domain with both list files in
 * {@code root}, sorted), {@code classes} (default 345). Class names come from the image's parent
 * folder ({@code clipart/<class>/x.jpg}) when consistent, else {@code class_<i>}. Images decode lazily.
 */
public final class DomainNetReader implements DatasetReader {

    /** Number of DomainNet classes. */
    public static final int CLASSES = 345;

    @Override
    public String name() {
        return "domainnet";
    }

    @Override
    public List<ReaderOption> options() {
        return List.of(ReaderOption.integer("classes"), ReaderOption.text("domains"));
    }

    @Override
    public LabeledDataset read(Path root, Map<String, String> options, boolean skipCorrupt) {
        BinaryIo.requireDirectory(root, name());
        int numClasses = Integer.parseInt(options.getOrDefault("classes", String.valueOf(CLASSES)).strip());
        if (numClasses <= 0) {
            throw new IllegalArgumentException("domainnet option 'classes' must be > 0, got " + numClasses);
        }
        List<String> domains = domains(root, options.get("domains"));
        String[] names = new String[numClasses];
        SkipLog skips = new SkipLog(skipCorrupt, "domainnet lists in " + root);
        FileListSplit train = split(root, domains, "train", numClasses, names, skips);
        FileListSplit test = split(root, domains, "test", numClasses, names, skips);
        skips.summarize();
        List<String> classNames = IntStream.range(0, numClasses)
                .mapToObj(i -> names[i] == null || names[i].isEmpty() ? "class_" + i : names[i]).toList();
        if (new TreeSet<>(classNames).size() != numClasses) {
            classNames = IntStream.range(0, numClasses).mapToObj(i -> "class_" + i).toList();
        }
        List<Path> files = new ArrayList<>();
        for (String d : domains) {
            files.add(root.resolve(d + "_train.txt"));
            files.add(root.resolve(d + "_test.txt"));
        }
        files.addAll(train.files());
        files.addAll(test.files());
        return new LabeledDataset("domainnet " + domains + " at " + root, classNames, train, test, files);
    }

    private static List<String> domains(Path root, String option) {
        if (option != null && !option.isBlank()) {
            return Arrays.stream(option.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
        }
        try (Stream<Path> s = Files.list(root)) {
            List<String> found = s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith("_train.txt"))
                    .map(n -> n.substring(0, n.length() - "_train.txt".length()))
                    .filter(d -> Files.isRegularFile(root.resolve(d + "_test.txt"))).sorted().toList();
            if (found.isEmpty()) {
                throw new DatasetFormatException(root, "expected <domain>_train.txt and <domain>_test.txt list files, found none");
            }
            return found;
        } catch (IOException e) {
            throw new DatasetFormatException(root, "expected a readable folder", e);
        }
    }

    private static FileListSplit split(Path root, List<String> domains, String split, int numClasses, String[] names,
                                       SkipLog skips) {
        List<Path> files = new ArrayList<>();
        List<Integer> labels = new ArrayList<>();
        for (String d : domains) {
            Path list = root.resolve(d + "_" + split + ".txt");
            if (!Files.isRegularFile(list)) {
                throw new DatasetFormatException(list, "expected the DomainNet list file for domain '" + d + "', it is missing");
            }
            try (BufferedReader r = Files.newBufferedReader(list, StandardCharsets.UTF_8)) {
                String line;
                int lineNo = 0;
                while ((line = r.readLine()) != null) {
                    lineNo++;
                    line = line.strip();
                    if (line.isEmpty()) {
                        continue;
                    }
                    int sp = line.lastIndexOf(' ');
                    Integer label = null;
                    if (sp > 0) {
                        try {
                            label = Integer.parseInt(line.substring(sp + 1));
                        } catch (NumberFormatException e) {
                            label = null;
                        }
                    }
                    if (label == null) {
                        skips.problem(list, "expected 'relative/path label' on line " + lineNo + ", found '" + line + "'");
                        continue;
                    }
                    if (label < 0 || label >= numClasses) {
                        skips.problem(list, "expected a label in 0.." + (numClasses - 1) + " on line " + lineNo
                                + ", found " + label);
                        continue;
                    }
                    String rel = line.substring(0, sp).strip();
                    Path image = root.resolve(rel).normalize();
                    if (!image.startsWith(root.normalize())) {
                        skips.problem(list, "expected a path inside the dataset root on line " + lineNo + ", found '" + rel + "'");
                        continue;
                    }
                    if (!Files.isRegularFile(image)) {
                        skips.problem(image, "expected the image listed on line " + lineNo + " of " + list + ", it is missing");
                        continue;
                    }
                    Path parent = Path.of(rel).getParent();
                    String className = parent == null ? "" : parent.getFileName().toString();
                    if (names[label] == null) {
                        names[label] = className;
                    } else if (!names[label].equals(className)) {
                        names[label] = "";
                    }
                    files.add(image);
                    labels.add(label);
                }
            } catch (IOException e) {
                throw new DatasetFormatException(list, "expected a readable text file", e);
            }
        }
        if (files.isEmpty()) {
            throw new DatasetFormatException(root, "expected at least one " + split + " image in " + domains);
        }
        return new FileListSplit(files, labels.stream().mapToInt(Integer::intValue).toArray());
    }
}
