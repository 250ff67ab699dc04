// After "mvn verify" on the generated project: the zip is laid out as the server loads it, and the tests ran.
import java.util.zip.ZipFile

def projectDir = context.projectDir as File

def zip = new File(projectDir, 'target/miaobu-plugin-notify-basic-0.1.0-SNAPSHOT.zip')
assert zip.isFile() : "no plugin zip at ${zip}"
new ZipFile(zip).withCloseable { plugin ->
    def names = plugin.entries().collect { it.name }.findAll { !it.endsWith('/') }.sort()
    assert names == ['lib/miaobu-plugin-notify-basic-0.1.0-SNAPSHOT.jar', 'plugin.properties'] : names
    def properties = new Properties()
    plugin.getInputStream(plugin.getEntry('plugin.properties')).withCloseable { properties.load(it) }
    assert properties['plugin.id'] == 'notify-basic'
    assert properties['plugin.version'] == '0.1.0-SNAPSHOT'
    assert properties['plugin.requires'] ==~ />=\d+\.\d+\.\d+/
}
def index = new File(projectDir, 'target/classes/META-INF/extensions.idx').readLines()
assert index.contains('com.example.miaobu.basic.PostNotifier') : index

def report = new File(projectDir, 'target/surefire-reports/TEST-com.example.miaobu.basic.PostNotifierTest.xml')
def suite = new groovy.xml.XmlSlurper().parse(report)
assert suite.@tests.text().toInteger() >= 12 : "the contract's 8 rules and the 4 tests of the notifier"
assert suite.@failures.text() == "0" && suite.@errors.text() == "0"
return true
