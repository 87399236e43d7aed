package localstack

import (
	"strings"

	"github.com/userbase/userbase/pkg/samtemplate"
)

// TypeKMSKey is a KMS key resource; the local stack makes each in local-kms under a
// fixed id (LocalKeyID).
const TypeKMSKey = "AWS::KMS::Key"

// localPrefix starts the local name of a resource that does not name itself.
const localPrefix = samtemplate.LocalStackName + "-"

// localRefs gives every resource of the template what Ref and the common
// Fn::GetAtt attributes return, with local names: enough to resolve
// environment variables. Table stream ARNs are added once the tables exist.
func localRefs(tpl *samtemplate.Template, res samtemplate.Resolver) map[string]string {
	refs := map[string]string{}
	named := func(id, prop string) string {
		if v, ok := tpl.Resources[id].Properties[prop]; ok {
			if s, ok, err := res.ResolveString(v); err == nil && ok && s != "" {
				return s
			}
		}
		return localPrefix + id
	}
	arnBase := ":" + samtemplate.LocalRegion + ":" + samtemplate.LocalAccountID + ":"
	for id, r := range tpl.Resources {
		switch r.Type {
		case samtemplate.TypeTable:
			name := named(id, "TableName")
			refs[id] = name
			refs[id+".Arn"] = "arn:aws:dynamodb" + arnBase + "table/" + name
		case samtemplate.TypeBucket:
			name := strings.ToLower(named(id, "BucketName")) // bucket names are lower case
			refs[id] = name
			refs[id+".Arn"] = "arn:aws:s3:::" + name
			refs[id+".DomainName"] = name + ".s3.amazonaws.com"
			refs[id+".RegionalDomainName"] = name + ".s3." + samtemplate.LocalRegion + ".amazonaws.com"
		case samtemplate.TypeFunction:
			name := functionName(tpl, res, id)
			refs[id] = name
			refs[id+".Arn"] = "arn:aws:lambda" + arnBase + "function:" + name
		case samtemplate.TypeAPI:
			refs[id] = "local"
			refs[id+".RootResourceId"] = "root"
		case "AWS::SQS::Queue":
			name := named(id, "QueueName")
			refs[id] = "https://sqs." + samtemplate.LocalRegion + ".amazonaws.com/" + samtemplate.LocalAccountID + "/" + name
			refs[id+".Arn"] = "arn:aws:sqs" + arnBase + name
			refs[id+".QueueName"] = name
			refs[id+".QueueUrl"] = refs[id]
		case TypeKMSKey:
			kid := LocalKeyID(id)
			refs[id] = kid
			refs[id+".KeyId"] = kid
			refs[id+".Arn"] = KeyARN(kid)
		case "AWS::SNS::Topic":
			name := named(id, "TopicName")
			refs[id] = "arn:aws:sns" + arnBase + name
			refs[id+".TopicArn"] = refs[id]
			refs[id+".TopicName"] = name
		default:
			refs[id] = localPrefix + id
			refs[id+".Arn"] = "arn:aws:local" + arnBase + id
		}
	}
	refs[samtemplate.ImplicitAPIID] = "local"
	return refs
}

// functionName is the function's FunctionName, else its logical ID.
func functionName(tpl *samtemplate.Template, res samtemplate.Resolver, id string) string {
	if v, ok := tpl.Resources[id].Properties["FunctionName"]; ok {
		if s, ok, err := res.ResolveString(v); err == nil && ok && s != "" {
			return s
		}
	}
	return id
}
