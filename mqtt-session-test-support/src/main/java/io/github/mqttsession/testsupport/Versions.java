package io.github.mqttsession.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * The version of a library on the class path, from its Maven metadata or its jar
 * manifest.
 */
public final class Versions {

	private Versions() {
	}

	/**
	 * The version of the artifact a class comes from.
	 * @param type a class of the library
	 * @param groupId the Maven group id
	 * @param artifactId the Maven artifact id
	 * @return the version, or {@code "?"}
	 */
	public static String of(Class<?> type, String groupId, String artifactId) {
		String resource = "/META-INF/maven/" + groupId + "/" + artifactId + "/pom.properties";
		try (InputStream in = type.getResourceAsStream(resource)) {
			if (in != null) {
				Properties properties = new Properties();
				properties.load(in);
				String version = properties.getProperty("version");
				if (version != null) {
					return version;
				}
			}
		}
		catch (IOException ex) {
			// fall through to the manifest
		}
		Package pkg = type.getPackage();
		String version = (pkg != null) ? pkg.getImplementationVersion() : null;
		if (version == null) {
			// the jar name on the class path, such as h2-2.4.240.jar
			String location = String.valueOf(type.getProtectionDomain().getCodeSource().getLocation());
			int slash = location.lastIndexOf('/');
			String jar = location.substring(slash + 1);
			if (jar.startsWith(artifactId + "-") && jar.endsWith(".jar")) {
				return jar.substring(artifactId.length() + 1, jar.length() - 4);
			}
		}
		return (version != null) ? version : "?";
	}

}
