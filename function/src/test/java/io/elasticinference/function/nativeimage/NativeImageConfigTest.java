package io.elasticinference.function.nativeimage;

import ai.djl.onnxruntime.engine.OrtEngineProvider;
import ai.onnxruntime.OrtEnvironment;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.util.GlobUtil;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.reflect.Constructor;
import java.lang.reflect.Executable;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The native-image configuration against the jars it is for. No GraalVM is available where this project is built, so
 * a wrong configuration would only show as a crash of the native executable; this test reads what the configuration
 * must cover from the artifacts themselves:
 * <ul>
 * <li>ONNX Runtime's JNI library, from the onnxruntime jar on the classpath: the class names, member names and JNI
 *     signatures in its constant strings are what it passes to FindClass and GetMethodID when it builds Java objects
 *     (tensors, type infos, exceptions). Every one must be in our jni-config.json, and everything in jni-config.json
 *     must still be used by the library and exist in the jar's classes, so an ONNX Runtime upgrade that changes a
 *     callback fails here instead of in production.</li>
 * <li>The resources the executable must carry, through the same glob translation Quarkus uses.</li>
 * <li>The {@code ServiceLoader} providers, against the services files on the classpath.</li>
 * </ul>
 */
class NativeImageConfigTest {

    private static final String JNI_CONFIG = "META-INF/native-image/io.elasticinference/function/jni-config.json";
    private static final String NATIVE_DIR = "ai/onnxruntime/native/";
    /** The platforms the executable is built for: Linux containers on either architecture. */
    private static final List<String> JNI_LIBRARIES = List.of(
            NATIVE_DIR + "linux-x64/libonnxruntime4j_jni.so",
            NATIVE_DIR + "linux-aarch64/libonnxruntime4j_jni.so");
    private static final String DJL_RESOURCE_CONFIG = "META-INF/native-image/ai/djl/api/resource-config.json";
    private static final String DJL_REFLECT_CONFIG = "META-INF/native-image/ai/djl/api/reflect-config.json";

    private static final String TYPE = "\\[*(?:[ZBCSIJFD]|L[A-Za-z0-9_/$]+;)";
    private static final Pattern CLASS_NAME =
            Pattern.compile("[a-z][a-z0-9_]*(?:/[a-z][a-z0-9_]*)*/[A-Z][A-Za-z0-9_$]*");
    private static final Pattern ARRAY_CLASS_NAME = Pattern.compile("\\[+(?:[ZBCSIJFD]|L[A-Za-z0-9_/$]+;)");
    private static final Pattern METHOD_DESCRIPTOR = Pattern.compile("\\((?:" + TYPE + ")*\\)(?:V|" + TYPE + ")");
    private static final Pattern FIELD_DESCRIPTOR = Pattern.compile("[ZBCSIJFD]|L[A-Za-z0-9_/$]+;");
    /** Two characters at least: the aarch64 library's .rodata has lone letters that are bytes of binary tables. */
    private static final Pattern MEMBER_NAME = Pattern.compile("<init>|[a-z_][A-Za-z0-9_]+");

    private static final ClassLoader LOADER = NativeImageConfigTest.class.getClassLoader();

    /** What the JNI libraries refer to, in Java's notation ({@code a.b.C}, {@code [La.b.C;}). */
    private static final Set<String> libClasses = new TreeSet<>();
    private static final Set<String> libArrayClasses = new TreeSet<>();
    private static final Set<String> libMethodDescriptors = new TreeSet<>();
    private static final Set<String> libFieldDescriptors = new TreeSet<>();
    private static final Set<String> libMemberNames = new TreeSet<>();

    private static JsonNode jniConfig;
    private static List<String> resourceIncludes;
    private static Properties properties;

    @BeforeAll
    static void readArtifacts() throws IOException {
        for (String library : JNI_LIBRARIES) {
            for (String s : ElfStrings.rodata(resourceBytes(library))) {
                if (CLASS_NAME.matcher(s).matches()) {
                    libClasses.add(s.replace('/', '.'));
                } else if (ARRAY_CLASS_NAME.matcher(s).matches()) {
                    libArrayClasses.add(s.replace('/', '.'));
                } else if (METHOD_DESCRIPTOR.matcher(s).matches()) {
                    libMethodDescriptors.add(s);
                } else if (FIELD_DESCRIPTOR.matcher(s).matches()) {
                    libFieldDescriptors.add(s);
                } else if (MEMBER_NAME.matcher(s).matches()) {
                    libMemberNames.add(s);
                }
            }
        }
        try (InputStream in = LOADER.getResourceAsStream(JNI_CONFIG)) {
            assertNotNull(in, JNI_CONFIG + " is not on the classpath");
            jniConfig = new ObjectMapper().readTree(in);
        }
        properties = new Properties();
        try (InputStream in = LOADER.getResourceAsStream("application.properties")) {
            properties.load(in);
        }
        resourceIncludes = Arrays.stream(properties.getProperty("quarkus.native.resources.includes", "").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
    }

    @Test
    void theLibrariesWereReadAtAll() {
        // A parser that found nothing would make every check below pass vacuously.
        assertTrue(libClasses.contains("ai.onnxruntime.OnnxTensor"), "classes found: " + libClasses);
        assertTrue(libMemberNames.contains("<init>"), "member names found: " + libMemberNames);
        assertFalse(libMethodDescriptors.isEmpty());
    }

    @Test
    void everyClassTheLibraryLooksUpIsRegisteredAndNothingElse() {
        Set<String> configured = configuredNames(false);
        assertEquals(libClasses, configured, "classes named in " + JNI_LIBRARIES + " vs. " + JNI_CONFIG);
    }

    /**
     * Arrays the library creates with NewObjectArray are returned by the Java side's native methods; their classes
     * must exist in the image even where no Java code instantiates them.
     */
    @Test
    void everyArrayTheLibraryReturnsIsRegisteredAndNothingElse() throws IOException {
        Set<String> expected = new TreeSet<>(libArrayClasses);
        for (Class<?> c : onnxRuntimeClasses()) {
            for (Method m : c.getDeclaredMethods()) {
                if (Modifier.isNative(m.getModifiers()) && m.getReturnType().isArray()
                        && !m.getReturnType().getComponentType().isPrimitive()) {
                    expected.add(m.getReturnType().getName());
                }
            }
        }
        assertEquals(expected, configuredNames(true),
                "object arrays returned by ONNX Runtime's native methods vs. arrays in " + JNI_CONFIG);
    }

    @Test
    void everyMemberTheLibraryLooksUpIsRegistered() throws Exception {
        List<String> problems = new ArrayList<>();
        Map<String, Set<String>> configuredByDescriptor = new TreeMap<>();
        Set<String> configuredNames = new TreeSet<>();
        Set<String> configuredFieldTypes = new TreeSet<>();
        for (JsonNode entry : jniConfig) {
            Class<?> type = load(entry.get("name").asText());
            for (JsonNode m : entry.path("methods")) {
                Executable e = member(type, m);
                configuredByDescriptor.computeIfAbsent(descriptor(e), k -> new TreeSet<>())
                        .add(type.getName() + "." + m.get("name").asText());
                configuredNames.add(m.get("name").asText());
            }
            for (JsonNode f : entry.path("fields")) {
                configuredFieldTypes.add(type.getDeclaredField(f.get("name").asText()).getType().descriptorString());
                configuredNames.add(f.get("name").asText());
            }
        }
        for (String d : libMethodDescriptors) {
            if (!configuredByDescriptor.containsKey(d)) {
                problems.add("the library looks up a method " + d + " that " + JNI_CONFIG + " does not register "
                        + "(existing candidates: " + candidates(d) + ")");
            }
        }
        for (String name : libMemberNames) {
            if (!configuredNames.contains(name)) {
                problems.add("the library names a member '" + name + "' that no entry of " + JNI_CONFIG + " has");
            }
        }
        for (String t : libFieldDescriptors) {
            if (!configuredFieldTypes.contains(t)) {
                problems.add("the library looks up a field of type " + t + " that " + JNI_CONFIG
                        + " does not register");
            }
        }
        assertEquals(List.of(), problems);
    }

    /** The reverse: a configuration entry the library no longer uses, or that the jar's classes lack, is stale. */
    @Test
    void everyRegisteredMemberExistsAndIsUsedByTheLibrary() {
        List<String> problems = new ArrayList<>();
        for (JsonNode entry : jniConfig) {
            String name = entry.get("name").asText();
            Class<?> type;
            try {
                type = load(name);
            } catch (ClassNotFoundException e) {
                problems.add(name + " does not exist");
                continue;
            }
            for (JsonNode m : entry.path("methods")) {
                String member = name + "." + m.get("name").asText() + m.get("parameterTypes");
                try {
                    Executable e = member(type, m);
                    if (!libMethodDescriptors.contains(descriptor(e))) {
                        problems.add(member + " has the signature " + descriptor(e) + ", which the library no "
                                + "longer looks up");
                    }
                    if (!libMemberNames.contains(m.get("name").asText())) {
                        problems.add(member + ": the library no longer names it");
                    }
                } catch (ReflectiveOperationException e) {
                    problems.add(member + " does not exist: " + e);
                }
            }
            for (JsonNode f : entry.path("fields")) {
                String field = f.get("name").asText();
                try {
                    Field declared = type.getDeclaredField(field);
                    if (!libMemberNames.contains(field) || !libFieldDescriptors.contains(declared.getType().descriptorString())) {
                        problems.add(name + "." + field + " is not looked up by the library");
                    }
                } catch (NoSuchFieldException e) {
                    problems.add(name + "." + field + " does not exist");
                }
            }
        }
        assertEquals(List.of(), problems);
    }

    /** What the function itself reads from its class path at run time must be in the executable too. */
    @Test
    void theFunctionsOwnResourcesAreIncluded() {
        List<Pattern> includes = resourceIncludes.stream().map(g -> Pattern.compile(GlobUtil.toRegexPattern(g)))
                .toList();
        for (String resource : List.of("model/resnet18.onnx", "model/resnet18.json", "imagenet-classes.txt",
                "warm-up.jpg")) {
            assertNotNull(LOADER.getResource(resource), resource + " is not on the class path");
            assertTrue(includes.stream().anyMatch(p -> p.matcher(resource).matches()), resource + " not included");
        }
    }

    /** The reason jni-config.json exists: if ONNX Runtime starts shipping its own, ours should be reconsidered. */
    @Test
    void onnxRuntimeShipsNoNativeImageConfiguration() throws IOException {
        try (JarFile jar = onnxRuntimeJar()) {
            List<String> shipped = jar.stream().map(JarEntry::getName)
                    .filter(n -> n.startsWith("META-INF/native-image/")).toList();
            assertEquals(List.of(), shipped, "ONNX Runtime now ships native-image configuration");
        }
    }

    @Test
    void theLinuxNativeLibrariesAreResourcesAndNothingElseOfThatDirectory() throws IOException {
        List<Pattern> includes = resourceIncludes.stream().map(g -> Pattern.compile(GlobUtil.toRegexPattern(g)))
                .toList();
        List<String> missing = new ArrayList<>();
        List<String> carriedForNothing = new ArrayList<>();
        try (JarFile jar = onnxRuntimeJar()) {
            for (JarEntry e : Collections.list(jar.entries())) {
                String name = e.getName();
                if (e.isDirectory() || !name.startsWith(NATIVE_DIR)) {
                    continue;
                }
                boolean included = includes.stream().anyMatch(p -> p.matcher(name).matches());
                boolean linux = name.startsWith(NATIVE_DIR + "linux-");
                if (linux && !included) {
                    missing.add(name);
                } else if (!linux && included) {
                    carriedForNothing.add(name);
                }
            }
        }
        assertEquals(List.of(), missing, "ONNX Runtime extracts these at run time; resources.includes misses them");
        assertEquals(List.of(), carriedForNothing, "resources.includes carries other platforms' libraries");
        for (String library : JNI_LIBRARIES) {
            assertTrue(includes.stream().anyMatch(p -> p.matcher(library).matches()), library);
        }
        String djlVersion = "ai/djl/engine/api.properties";
        assertNotNull(LOADER.getResource(djlVersion), djlVersion + " is gone from DJL's jar");
        assertTrue(includes.stream().anyMatch(p -> p.matcher(djlVersion).matches()), djlVersion + " not included");
    }

    @Test
    void onnxRuntimesEngineProviderIsRegistered() {
        assertTrue(servicesFilesInTheImage().contains("META-INF/services/ai.djl.engine.EngineProvider"),
                "DJL's engine services file is not a resource of the executable: " + resourceIncludes);
        assertTrue(registeredProviders().contains(OrtEngineProvider.class.getName()));
    }

    /**
     * A services file in the image whose providers are not all registered makes the whole ServiceLoader iteration
     * fail; a provider we register that no services file in the image lists is dead configuration.
     */
    @Test
    void everyProviderOfAServicesFileInTheImageIsRegisteredAndNothingElse() throws IOException {
        Set<String> listed = new TreeSet<>();
        for (String file : servicesFilesInTheImage()) {
            List<URL> copies = Collections.list(LOADER.getResources(file));
            assertFalse(copies.isEmpty(), file + " is included but no jar has it");
            for (URL copy : copies) {
                listed.addAll(providers(copy));
            }
        }
        Set<String> ours = registeredProviders();
        Set<String> registered = new TreeSet<>(ours);
        registered.addAll(classesInDjlReflectConfig());
        Set<String> unregistered = new TreeSet<>(listed);
        unregistered.removeAll(registered);
        assertEquals(Set.of(), unregistered, "providers the executable could not instantiate; add them to "
                + ServiceProviders.class.getSimpleName());
        Set<String> dead = new TreeSet<>(ours);
        dead.removeAll(listed);
        assertEquals(Set.of(), dead, "registered, but no services file in the executable lists them");
    }

    /**
     * Quarkus initialises classes at build time by default, so what creates native state (ONNX Runtime's library, DJL's
     * engines) or caches run-time-initialised JDK objects must be named for run-time initialisation: a native build
     * crashed in the builder without these. A name a dependency update renamed would silently stop applying, so each
     * must still be a class or a package on the class path.
     */
    @Test
    void nativeStateIsInitialisedAtRunTime() {
        String args = properties.getProperty("quarkus.native.additional-build-args", "");
        assertFalse(args.contains("initialize-at-build-time"), args);
        Set<String> runTime = Arrays.stream(args.split(",")).map(String::strip)
                .filter(a -> a.startsWith("--initialize-at-run-time="))
                .map(a -> a.substring("--initialize-at-run-time=".length())).collect(Collectors.toSet());
        for (String required : List.of("ai.onnxruntime", "ai.djl.onnxruntime.engine",
                "ai.djl.engine.rpc.RpcEngineProvider$InstanceHolder",
                "com.twelvemonkeys.imageio.util.ImageTypeSpecifiers",
                io.elasticinference.function.inference.OnnxClassifier.class.getName())) {
            assertTrue(runTime.contains(required), required + " is not initialised at run time: " + args);
        }
        for (String name : runTime) {
            boolean isPackage = LOADER.getResource(name.replace('.', '/') + "/") != null;
            boolean isClass = LOADER.getResource(name.replace('.', '/') + ".class") != null;
            assertTrue(isPackage || isClass, name + " is neither a class nor a package on the class path");
        }
    }

    /**
     * Every record Jackson writes (and every record inside one) is registered for reflection: the resource methods
     * return {@code Response}, so Quarkus cannot see their entities. The roots are what our code hands to Jackson
     * at run time; the rest is found by walking record components.
     */
    @Test
    void everyRecordJacksonHandlesIsRegisteredForReflection() {
        Set<Class<?>> needed = new java.util.HashSet<>();
        java.util.Deque<Class<?>> todo = new java.util.ArrayDeque<>(List.of(
                io.elasticinference.function.api.PredictionResponse.class,
                io.elasticinference.function.api.ApiError.Body.class));
        while (!todo.isEmpty()) {
            Class<?> c = todo.pop();
            if (!c.isRecord() || !needed.add(c)) {
                continue;
            }
            for (java.lang.reflect.RecordComponent rc : c.getRecordComponents()) {
                todo.add(rc.getType());
                if (rc.getGenericType() instanceof java.lang.reflect.ParameterizedType p) {
                    for (java.lang.reflect.Type a : p.getActualTypeArguments()) {
                        if (a instanceof Class<?> k) {
                            todo.add(k);
                        }
                    }
                }
            }
        }
        assertEquals(names(needed), registeredBy(JsonTypes.class));
    }

    private static Set<String> names(Set<Class<?>> classes) {
        return classes.stream().map(Class::getName).collect(Collectors.toCollection(TreeSet::new));
    }

    // ---- helpers ----

    private static Set<String> servicesFilesInTheImage() {
        Set<String> files = new TreeSet<>();
        for (String include : resourceIncludes) {
            if (include.startsWith("META-INF/services/")) {
                files.add(include);
            }
        }
        // DJL's own native-image configuration adds services files of its own (its model zoos).
        try (InputStream in = LOADER.getResourceAsStream(DJL_RESOURCE_CONFIG)) {
            if (in != null) {
                JsonNode config = new ObjectMapper().readTree(in);
                JsonNode patterns = config.path("resources").isArray() ? config.path("resources")
                        : config.path("resources").path("includes");
                for (JsonNode p : patterns) {
                    String pattern = p.path("pattern").asText().replace("\\Q", "").replace("\\E", "");
                    if (pattern.startsWith("META-INF/services/")) {
                        files.add(pattern);
                    }
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return files;
    }

    /** DJL registers its own default model zoo for reflection. */
    private static Set<String> classesInDjlReflectConfig() throws IOException {
        Set<String> names = new TreeSet<>();
        try (InputStream in = LOADER.getResourceAsStream(DJL_REFLECT_CONFIG)) {
            if (in != null) {
                for (JsonNode entry : new ObjectMapper().readTree(in)) {
                    names.add(entry.path("name").asText());
                }
            }
        }
        return names;
    }

    private static Set<String> registeredProviders() {
        return registeredBy(ServiceProviders.class);
    }

    /** The classes a {@code @RegisterForReflection(targets = ...)} holder registers. */
    private static Set<String> registeredBy(Class<?> holder) {
        return names(Set.of(holder.getAnnotation(RegisterForReflection.class).targets()));
    }

    private static List<String> providers(URL servicesFile) throws IOException {
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(servicesFile.openStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                int hash = line.indexOf('#');
                String name = (hash >= 0 ? line.substring(0, hash) : line).trim();
                if (!name.isEmpty()) {
                    out.add(name);
                }
            }
        }
        return out;
    }

    private static Set<String> configuredNames(boolean arrays) {
        Set<String> names = new TreeSet<>();
        for (JsonNode entry : jniConfig) {
            String name = entry.get("name").asText();
            if (name.startsWith("[") == arrays) {
                names.add(name);
            }
        }
        return names;
    }

    /** Members of the library's classes with this descriptor: what a missing entry should probably be. */
    private static List<String> candidates(String descriptor) {
        List<String> out = new ArrayList<>();
        for (String name : libClasses) {
            try {
                Class<?> c = load(name);
                for (Constructor<?> k : c.getDeclaredConstructors()) {
                    if (descriptor(k).equals(descriptor)) {
                        out.add(name + ".<init>");
                    }
                }
                for (Method m : c.getDeclaredMethods()) {
                    if (descriptor(m).equals(descriptor)) {
                        out.add(name + "." + m.getName());
                    }
                }
            } catch (ClassNotFoundException e) {
                out.add(name + " (missing)");
            }
        }
        return out;
    }

    private static Executable member(Class<?> type, JsonNode method) throws ReflectiveOperationException {
        List<Class<?>> params = new ArrayList<>();
        for (JsonNode p : method.path("parameterTypes")) {
            params.add(load(p.asText()));
        }
        Class<?>[] array = params.toArray(Class<?>[]::new);
        String name = method.get("name").asText();
        return name.equals("<init>") ? type.getDeclaredConstructor(array) : type.getDeclaredMethod(name, array);
    }

    private static final Map<String, Class<?>> PRIMITIVES = Map.of("boolean", boolean.class, "byte", byte.class,
            "char", char.class, "short", short.class, "int", int.class, "long", long.class, "float", float.class,
            "double", double.class, "void", void.class);

    /** Names as GraalVM configuration writes them: {@code int}, {@code a.b.C}, {@code a.b.C[]} or {@code [La.b.C;}. */
    private static Class<?> load(String name) throws ClassNotFoundException {
        if (name.endsWith("[]")) {
            return load(name.substring(0, name.length() - 2)).arrayType();
        }
        Class<?> primitive = PRIMITIVES.get(name);
        // Not initialised: ONNX Runtime's classes load the native library in their static initialisers.
        return primitive != null ? primitive : Class.forName(name, false, LOADER);
    }

    private static String descriptor(Executable e) {
        StringBuilder s = new StringBuilder("(");
        for (Class<?> p : e.getParameterTypes()) {
            s.append(p.descriptorString());
        }
        s.append(')');
        s.append(e instanceof Method m ? m.getReturnType().descriptorString() : "V");
        return s.toString();
    }

    private static List<Class<?>> onnxRuntimeClasses() throws IOException {
        List<Class<?>> out = new ArrayList<>();
        try (JarFile jar = onnxRuntimeJar()) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                String name = e.nextElement().getName();
                if (name.startsWith("ai/onnxruntime/") && name.endsWith(".class")) {
                    String className = name.substring(0, name.length() - ".class".length()).replace('/', '.');
                    try {
                        out.add(load(className));
                    } catch (ClassNotFoundException ex) {
                        fail(className + " is in the jar but cannot be loaded", ex);
                    }
                }
            }
        }
        assertFalse(out.isEmpty());
        return out;
    }

    private static JarFile onnxRuntimeJar() throws IOException {
        try {
            Path jar = Path.of(OrtEnvironment.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            return new JarFile(jar.toFile());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
    }

    private static byte[] resourceBytes(String name) throws IOException {
        try (InputStream in = LOADER.getResourceAsStream(name)) {
            assertNotNull(in, name + " is not in the onnxruntime jar any more");
            return in.readAllBytes();
        }
    }
}
