import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import jdk.internal.org.objectweb.asm.ClassReader;
import jdk.internal.org.objectweb.asm.ClassVisitor;
import jdk.internal.org.objectweb.asm.ClassWriter;
import jdk.internal.org.objectweb.asm.Opcodes;

/**
 * Build step of the cli module (issue 13, start-up; run by exec-maven-plugin at process-classes): copies picocli's
 * classes into the module's classes as class-file version 52 with stack map frames computed, the same bytecode
 * otherwise. picocli's jar is compiled for Java 5 (class-file version 49), which JDK 17's application class-data
 * archive cannot hold ("Pre JDK 6 class not supported by CDS"): every command loaded its ~175 classes from the jar
 * and verified them with the old verifier. Archived, picocli's set-up for one subcommand takes half the time
 * (docs/ingest-speed.md). The shaded jar leaves out picocli's own class files (cli/pom.xml).
 *
 * <p>A single-file program (java PicocliFrames.java PICOCLI_JAR OUT_DIR, with picocli's jar on the class path and
 * {@code --add-exports java.base/jdk.internal.org.objectweb.asm=ALL-UNNAMED}): the JDK's own copy of ASM, so no
 * dependency. Any class that cannot be rewritten fails the build.
 */
public final class PicocliFrames {
    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[1]);
        int n = 0;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(Path.of(args[0])))) {
            for (ZipEntry e; (e = in.getNextEntry()) != null;) {
                String name = e.getName();
                if (!name.startsWith("picocli/") || !name.endsWith(".class")) {
                    continue;
                }
                Path f = out.resolve(name);
                Files.createDirectories(f.getParent());
                Files.write(f, rewrite(in));
                n++;
            }
        }
        if (n == 0) {
            throw new IllegalStateException(args[0] + ": no picocli classes");
        }
    }

    private static byte[] rewrite(InputStream in) throws IOException {
        ClassReader r = new ClassReader(in.readAllBytes());
        // not given r: every method is written anew, with frames; common super classes are looked up in picocli's jar
        ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
            @Override
            protected ClassLoader getClassLoader() {
                return ClassLoader.getSystemClassLoader();
            }
        };
        r.accept(new ClassVisitor(Opcodes.ASM8, w) {
            @Override
            public void visit(int version, int access, String name, String signature, String superName, String[] interfaces) {
                super.visit(Opcodes.V1_8, access, name, signature, superName, interfaces);
            }
        }, ClassReader.SKIP_FRAMES);
        return w.toByteArray();
    }
}
